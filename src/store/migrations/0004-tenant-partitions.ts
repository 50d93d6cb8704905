// Each tenant's rows in their own partitions (store/partitions.ts): physical isolation between tenants.
import { partitionByTenant } from '../partitions.js';

export const name = 'tenant-partitions';
export const run = partitionByTenant;
