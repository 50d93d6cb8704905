// The read benchmark's limit: Fastify answering a fixed FHIR JSON body from memory, nothing else.
import Fastify from 'fastify';

const body = process.env.BARE_BODY ?? '{}';
const app = Fastify({ logger: false });
app.get('/bare/Patient/:id', async (_req, reply) => reply.type('application/fhir+json; charset=utf-8').send(body));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
console.log('bare ready');
