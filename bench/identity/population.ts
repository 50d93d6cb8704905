// Labelled synthetic UK populations for evaluating identity matching: people with realistic names,
// addresses, postcodes and test-range NHS numbers, living in households (relatives at one address,
// twins, a father and son of the same name: the hard negatives), and duplicate records of some of
// them with controlled corruption (typos, nicknames, swapped names, missing or unverified NHS
// numbers, house moves, transposed and mistyped dates). Seeded: one seed, one population.
import { fakerEN_GB as faker } from '@faker-js/faker';
import type { Patient } from '@medplum/fhirtypes';
import { NHS_NUMBER_SYSTEM } from '../../src/fhir/profiles/nhs-number.js';
import { NHS_NUMBER_VERIFICATION_EXTENSION, NHS_NUMBER_VERIFICATION_SYSTEM } from '../../src/fhir/profiles/uk-core.js';
import { syntheticSurname, testNhsNumber } from '../synthetic.js';

export interface LabelledRecord {
  /** The real person behind the record: records with the same person are true matches. */
  person: number;
  patient: Patient;
  /** The person's first record (the others are duplicates, possibly with no corruption at all). */
  original: boolean;
  /** What was done to this record. */
  corruptions: string[];
}

export interface PopulationOptions {
  persons: number;
  /** Share of persons with at least one duplicate record (a third of those have two). */
  duplicateShare: number;
  seed: number;
}

interface Person {
  given: string;
  middle?: string;
  family: string;
  gender: 'male' | 'female';
  birthDate: string;
  nhsNumber?: string;
  nhsVerified: boolean;
  address: Home;
  phone: string;
}

interface Home {
  line: string;
  city: string;
  postcode: string;
}

const NICKNAMES: Record<string, string[]> = {
  William: ['Bill', 'Will', 'Billy', 'Liam'], Robert: ['Bob', 'Rob', 'Bobby'], Elizabeth: ['Liz', 'Beth', 'Betty', 'Lizzie'],
  Margaret: ['Maggie', 'Peggy', 'Meg'], James: ['Jim', 'Jimmy', 'Jamie'], Catherine: ['Kate', 'Cathy', 'Katie'], Katherine: ['Kate', 'Kathy'],
  Richard: ['Rick', 'Dick', 'Richie'], Thomas: ['Tom', 'Tommy'], Michael: ['Mike', 'Mick'], Christopher: ['Chris'], Christine: ['Chris', 'Tina'],
  Jennifer: ['Jenny', 'Jen'], Rebecca: ['Becky', 'Becca'], Anthony: ['Tony'], Edward: ['Ed', 'Eddie', 'Ted'], Alexander: ['Alex', 'Sandy'],
  Susan: ['Sue', 'Susie'], Patricia: ['Pat', 'Trish'], Samuel: ['Sam'], Samantha: ['Sam'], Daniel: ['Dan', 'Danny'], David: ['Dave'],
  Joseph: ['Joe'], Matthew: ['Matt'], Nicholas: ['Nick'], Victoria: ['Vicky', 'Tori'], Stephen: ['Steve'], Steven: ['Steve'], Peter: ['Pete'],
  Benjamin: ['Ben'], Jessica: ['Jess'], Deborah: ['Debbie'], Charlotte: ['Lottie', 'Charlie'], Charles: ['Charlie'], Andrew: ['Andy'],
  Jonathan: ['Jon'], Oliver: ['Ollie'], Frederick: ['Fred', 'Freddie'], Henry: ['Harry'], Harold: ['Harry'], Kenneth: ['Ken'],
  Eleanor: ['Ellie', 'Nell'], Abigail: ['Abby'], Timothy: ['Tim'], Gregory: ['Greg'], Philip: ['Phil'], Ronald: ['Ron'], Donald: ['Don'],
  Raymond: ['Ray'], Douglas: ['Doug'], Geoffrey: ['Geoff'], Gillian: ['Gill'], Pamela: ['Pam'], Judith: ['Judy'], Dorothy: ['Dot'],
};

/** Ages are drawn relative to this date, so a seed gives the same population whenever it runs. */
const REFERENCE_DATE = '2026-01-01T00:00:00.000Z';

export function population(options: PopulationOptions): LabelledRecord[] {
  faker.seed(options.seed);
  faker.setDefaultRefDate(REFERENCE_DATE);
  const people: Person[] = [];
  const nhsNumbers = nhsNumberSeries(options.seed);
  while (people.length < options.persons) people.push(...household(nhsNumbers));
  people.length = options.persons;
  const records: LabelledRecord[] = people.map((p, i) => ({ person: i, patient: toPatient(p), original: true, corruptions: [] }));
  people.forEach((p, i) => {
    if (faker.number.float() >= options.duplicateShare) return;
    const copies = faker.number.float() < 1 / 3 ? 2 : 1;
    for (let c = 0; c < copies; c++) records.push(duplicate(p, i));
  });
  return faker.helpers.shuffle(records);
}

/** One household: a person, sometimes with relatives at the same address (hard negatives). */
function household(nextNhsNumber: () => string): Person[] {
  const home = newHome();
  const family = syntheticSurname();
  const person = (overrides: Partial<Person> = {}): Person => {
    const gender = overrides.gender ?? faker.helpers.arrayElement(['male', 'female'] as const);
    const nhs = faker.number.float() < 0.85 ? nextNhsNumber() : undefined;
    return {
      given: faker.person.firstName(gender),
      ...(faker.number.float() < 0.3 ? { middle: faker.person.firstName(gender) } : {}),
      family,
      gender,
      birthDate: faker.date.birthdate({ min: 18, max: 100, mode: 'age' }).toISOString().slice(0, 10),
      ...(nhs ? { nhsNumber: nhs } : {}),
      nhsVerified: !!nhs && faker.number.float() < 0.8,
      address: home,
      phone: faker.phone.number({ style: 'national' }),
      ...overrides,
    };
  };
  const head = person();
  const r = faker.number.float();
  if (r < 0.02) {
    // Twins: same surname, birthday and address; different given names and NHS numbers.
    return [head, person({ birthDate: head.birthDate })];
  }
  if (r < 0.03 && head.gender === 'male') {
    // Father and son of the same name at the same address, a generation apart.
    const year = Number(head.birthDate.slice(0, 4)) - faker.number.int({ min: 22, max: 38 });
    return [head, person({ given: head.given, gender: 'male', birthDate: `${year}${head.birthDate.slice(4)}` })];
  }
  if (r < 0.2) return [head, person()]; // a spouse, sibling or parent
  return [head];
}

/** Distinct valid test-range NHS numbers (consecutive inputs to testNhsNumber can give the same number). */
function nhsNumberSeries(seed: number): () => string {
  let n = seed * 1_000_003;
  let last = '';
  return () => {
    let next = testNhsNumber(n++);
    while (next === last) next = testNhsNumber(n++);
    return (last = next);
  };
}

function newHome(): Home {
  return { line: faker.location.streetAddress(), city: faker.location.city(), postcode: faker.location.zipCode() };
}

function toPatient(p: Person): Patient {
  return {
    resourceType: 'Patient',
    ...(p.nhsNumber
      ? {
          identifier: [
            {
              system: NHS_NUMBER_SYSTEM,
              value: p.nhsNumber,
              extension: [{ url: NHS_NUMBER_VERIFICATION_EXTENSION, valueCodeableConcept: { coding: [{ system: NHS_NUMBER_VERIFICATION_SYSTEM, code: p.nhsVerified ? '01' : '02' }] } }],
            },
          ],
        }
      : {}),
    name: [{ use: 'official', family: p.family, given: p.middle ? [p.given, p.middle] : [p.given] }],
    gender: p.gender,
    birthDate: p.birthDate,
    address: [{ use: 'home', line: [p.address.line], city: p.address.city, postalCode: p.address.postcode }],
    telecom: [{ system: 'phone', value: p.phone }],
  };
}

/** Another system's record of the same person, with the errors and changes real records have. */
function duplicate(original: Person, person: number): LabelledRecord {
  const p: Person = { ...original };
  const done: string[] = [];
  const chance = (share: number, name: string): boolean => {
    const hit = faker.number.float() < share;
    if (hit) done.push(name);
    return hit;
  };
  const nicknames = NICKNAMES[p.given];
  if (nicknames && chance(0.4, 'nickname')) p.given = faker.helpers.arrayElement(nicknames);
  if (chance(0.12, 'given-typo')) p.given = typo(p.given);
  if (chance(0.12, 'family-typo')) p.family = typo(p.family);
  if (chance(0.03, 'names-swapped')) [p.given, p.family] = [p.family, p.given];
  if (chance(0.3, 'nhs-missing')) delete p.nhsNumber;
  else if (p.nhsNumber && chance(0.25, 'nhs-unverified')) p.nhsVerified = false;
  if (chance(0.2, 'moved')) {
    const home = newHome();
    // Half of moves stay in the same postcode district.
    p.address = faker.number.float() < 0.5 ? { ...home, postcode: `${original.address.postcode.split(' ')[0]} ${home.postcode.split(' ')[1]}` } : home;
  }
  const [y, m, d] = p.birthDate.split('-');
  if (Number(d) <= 12 && d !== m && chance(0.05, 'date-transposed')) p.birthDate = `${y}-${d}-${m}`;
  else if (chance(0.06, 'date-typo')) p.birthDate = dateTypo(p.birthDate);
  else if (chance(0.02, 'year-only')) p.birthDate = y;
  const patient = toPatient(p);
  if (chance(0.05, 'no-address')) delete patient.address;
  if (chance(0.05, 'no-gender')) delete patient.gender;
  return { person, patient, original: false, corruptions: done };
}

/** One keying error: a letter substituted, dropped, doubled or two letters swapped. */
function typo(name: string): string {
  if (name.length < 3) return name;
  const i = faker.number.int({ min: 1, max: name.length - 2 });
  const letter = faker.string.alpha({ length: 1, casing: 'lower' });
  switch (faker.number.int({ min: 0, max: 3 })) {
    case 0: return name.slice(0, i) + letter + name.slice(i + 1);
    case 1: return name.slice(0, i) + name.slice(i + 1);
    case 2: return name.slice(0, i) + name[i] + name.slice(i);
    default: return name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2);
  }
}

/** A date with one digit of the day or month mistyped, still a real date. */
function dateTypo(date: string): string {
  for (;;) {
    const digits = date.replace(/-/g, '').split('');
    const i = faker.helpers.arrayElement([3, 5, 6, 7]);
    digits[i] = String(faker.number.int({ min: 0, max: 9 }));
    const candidate = `${digits.slice(0, 4).join('')}-${digits.slice(4, 6).join('')}-${digits.slice(6).join('')}`;
    const parsed = new Date(`${candidate}T00:00:00Z`);
    if (candidate !== date && !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(candidate)) return candidate;
  }
}
