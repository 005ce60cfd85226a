// The peer's schema: GraphQL Mesh composes the back office's own OpenAPI documents into one
// supergraph, and links the systems with batched @resolveTo fields (keysArg), so that every
// level of a query makes one call to each system's batch endpoint (`?id=a&id=b`).
//
// `python -m bench` copies this file next to the peer's node_modules and runs `mesh-compose`
// with BENCH_OPENAPI_DIR (the documents, prepared: see bench/peer.py), BENCH_BACKOFFICE_URL,
// BENCH_CHANNEL and the stores of the product page and the listing as JSON lists.
import { readFileSync } from 'node:fs';
import { createPrefixTransform, defineConfig } from '@graphql-mesh/compose-cli';
import { loadOpenAPISubgraph } from '@omnigraph/openapi';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const endpoint = env('BENCH_BACKOFFICE_URL');
const documents = env('BENCH_OPENAPI_DIR');
const channel = JSON.stringify(env('BENCH_CHANNEL'));
// Mesh's batched @resolveTo passes fixed extra arguments, not the query's: the stores are
// part of the composed schema, one list per field.
const productStores = env('BENCH_PRODUCT_STORES');
const listingStores = env('BENCH_LISTING_STORES');

// The PIM search's product type, and whether it carries the variants itself (full variant
// documents, as the variants batch read returns them): then the listing reads the GTINs
// from the search answer, as our gateway may, and the batched variants read is only
// declared where the source does not serve them.
const pim = JSON.parse(readFileSync(`${documents}/pim.json`, 'utf8'));
const schemas = pim.components.schemas;
// The search's items must be a named schema ($ref): the loader names an inline one itself.
const searchItemName: string = pim.paths['/pim/v1/products/search'].get.responses['200'].content[
  'application/json'
].schema.properties.items.items.$ref.split('/').pop();
const hasVariants = (name: string) => 'variants' in (schemas[name].properties ?? {});
const searchType = `Pim_${searchItemName}`;

const systems = ['pim', 'pricing', 'inventory', 'crm', 'orders', 'loyalty'];
const capitalised = (name: string) => name[0].toUpperCase() + name.slice(1);

// A field of `type` filled from `source`'s `field`, one call per batch of parent keys.
// `key` is read on the parent, sent as `arg`, and matched to the answer's `match` field.
const batched = (o: {
  source: string;
  field: string;
  key: string;
  arg: string;
  match?: string;
  extra?: string;
  needs?: string;
}) =>
  `@resolveTo(sourceName: "${o.source}", sourceTypeName: "Query", sourceFieldName: "${o.field}", ` +
  `keyField: "${o.key}", keysArg: "${o.arg}", result: "items"` +
  (o.match ? `, valueKeyField: "${o.match}"` : '') +
  (o.extra ? `, additionalArgs: ${o.extra}` : '') +
  (o.needs ? `, requiredSelectionSet: "${o.needs}"` : '') +
  ')';

// A product type's links: its variants (unless the source serves them in the product), and
// the default variant's price and stock, as our gateway's Product.price/availability.
const productExtension = (type: string, hasVariants: boolean) => `
    extend type ${type} {
      ${
        hasVariants
          ? ''
          : // The variant ids are keys themselves (loadMany): the answer is matched by position.
            `variants: [Pim_Variant]
        ${batched({ source: 'pim', field: 'Pim_get_variants', key: 'variant_ids', arg: 'id', needs: '{ variant_ids }' })}`
      }
      price: Pricing_Price
        ${batched({ source: 'pricing', field: 'Pricing_get_prices', key: 'variant_ids[0]', arg: 'variant_id', match: 'variant_id', extra: `{ channel: ${channel} }`, needs: '{ variant_ids }' })}
      stock: [Inventory_StockLevel]
        ${batched({ source: 'inventory', field: 'Inventory_get_stock', key: 'variant_ids[0]', arg: 'variant_id', match: 'variant_id', extra: `{ location_id: ${listingStores} }`, needs: '{ variant_ids }' })}
    }`;

export const composeConfig = defineConfig({
  subgraphs: systems.map(name => ({
    sourceHandler: loadOpenAPISubgraph(name, { source: `${documents}/${name}.json`, endpoint }),
    // Every system has its own Error, Health, ... types: prefix them, and the root fields.
    transforms: [createPrefixTransform({ value: `${capitalised(name)}_`, includeRootOperations: true })],
  })),
  additionalTypeDefs: /* GraphQL */ `
    ${productExtension('Pim_Product', hasVariants('Product'))}
    ${searchType === 'Pim_Product' ? '' : productExtension(searchType, hasVariants(searchItemName))}
    extend type Pim_Variant {
      price: Pricing_Price
        ${batched({ source: 'pricing', field: 'Pricing_get_prices', key: 'id', arg: 'variant_id', match: 'variant_id', extra: `{ channel: ${channel} }` })}
      stock: [Inventory_StockLevel]
        ${batched({ source: 'inventory', field: 'Inventory_get_stock', key: 'id', arg: 'variant_id', match: 'variant_id', extra: `{ location_id: ${productStores} }` })}
    }
    extend type Inventory_StockLevel {
      location: Inventory_Location
        ${batched({ source: 'inventory', field: 'Inventory_get_locations', key: 'location_id', arg: 'id', match: 'id' })}
    }
    extend type Crm_Customer {
      loyalty: Loyalty_Account
        ${batched({ source: 'loyalty', field: 'Loyalty_get_accounts', key: 'id', arg: 'customer_id', match: 'customer_id' })}
      orders: [Orders_Order]
        ${batched({ source: 'orders', field: 'Orders_get_orders', key: 'id', arg: 'customer_id', match: 'customer_id' })}
    }
    extend type Orders_Order {
      location: Inventory_Location
        ${batched({ source: 'inventory', field: 'Inventory_get_locations', key: 'location_id', arg: 'id', match: 'id' })}
    }
    extend type Orders_OrderLine {
      variant: Pim_Variant
        ${batched({ source: 'pim', field: 'Pim_get_variants', key: 'variant_id', arg: 'id', match: 'id' })}
    }
  `,
});
