// The peer's gateway settings: defaults, plus its response cache when BENCH_RESPONSE_CACHE=1.
//
// Like our gateway, it caches public answers for everybody and never a customer's: an
// operation that reads the CRM gets TTL 0, which Hive's response cache does not store.
import { defineConfig } from '@graphql-hive/gateway';

const responseCache = process.env.BENCH_RESPONSE_CACHE === '1';

export const gatewayConfig = defineConfig({
  responseCaching: responseCache
    ? {
        session: () => null,
        ttl: 30_000,
        ttlPerSchemaCoordinate: { 'Query.Crm_get_customers': 0 },
        // By default the cache adds `id` to every selection that has one, to invalidate by
        // entity; @resolveTo's batched delegation then fails on Pricing_AppliedPromotion.id
        // ("Cannot return null for non-nullable field"). Time-based expiry is all we use.
        idFields: [],
      }
    : undefined,
});
