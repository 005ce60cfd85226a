// Drives a running gateway through Apollo Client 3, as a web shop would; run by
// test_js_client.py with the gateway's URL. Asserts what it can alone; prints a JSON
// summary (the last line) for the Python test to check against the gateway's own answer.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";

import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client/core/index.js";
import { createPersistedQueryLink } from "@apollo/client/link/persisted-queries/index.js";

const url = process.argv[2];
const origin = "http://localhost:5173"; // a front end's dev server on another port

const LISTING = gql`
  query Listing($first: Int!) {
    products(first: $first) {
      edges {
        node {
          id
          sku
          name
          price {
            amount { amount currency }
            listAmount { amount }
            promotions { promotionId name discount { amount currency } }
          }
        }
      }
    }
  }
`;

// Every request the clients make, to count what the persisted-query link sends.
const sent = [];
const recordingFetch = (input, init) => {
  sent.push(init?.method ?? "GET");
  return fetch(input, init);
};

const client = new ApolloClient({
  link: new HttpLink({ uri: url, fetch: recordingFetch }),
  cache: new InMemoryCache(),
});

// 1. The 48-product listing, through the normalised cache.
const { data } = await client.query({ query: LISTING, variables: { first: 48 } });
const edges = data.products.edges;
assert.equal(edges.length, 48);
assert.ok(edges.every((e) => e.node.price.amount.currency === "EUR"));
const promoted = edges.filter((e) => e.node.price.promotions.length > 0);
assert.ok(promoted.length > 0, "the seed runs promotions this week");

// What the cache gives back for each product, read as a component would.
const cached = {};
for (const { node } of edges) {
  const product = client.readFragment({
    id: client.cache.identify(node),
    fragment: gql`
      fragment Promotions on Product {
        price { amount { amount } listAmount { amount } promotions { promotionId discount { amount } } }
      }
    `,
  });
  cached[node.sku] = {
    amount: product.price.amount.amount,
    listAmount: product.price.listAmount.amount,
    discounts: product.price.promotions.map((p) => [p.promotionId, p.discount.amount]),
  };
}

// 2. A query over GET (Apollo's useGETForQueries sends Accept: */*): JSON, not GraphiQL.
const viaGet = new ApolloClient({
  link: new HttpLink({ uri: url, useGETForQueries: true, fetch: recordingFetch }),
  cache: new InMemoryCache(),
});
const got = await viaGet.query({ query: gql`{ products(first: 2) { totalCount } }` });
assert.ok(got.data.products.totalCount >= 48);

// 3. The preflight a browser on another origin sends first.
const preflight = await fetch(url, {
  method: "OPTIONS",
  headers: {
    origin,
    "access-control-request-method": "POST",
    "access-control-request-headers": "content-type,authorization,apollographql-client-name",
  },
});
assert.equal(preflight.status, 200);
assert.equal(preflight.headers.get("access-control-allow-origin"), origin);

// 4. A client error: a string for an Int variable, refused before execution.
let refused;
try {
  await client.query({ query: LISTING, variables: { first: "forty-eight" }, fetchPolicy: "network-only" });
} catch (error) {
  refused = error;
}
assert.ok(refused, "a string for an Int variable is refused");
const errorBody = refused.networkError?.result;
assert.equal(refused.networkError?.statusCode, 422);
assert.equal(errorBody.errors[0].extensions.code, "BAD_USER_INPUT");

// 5. Automatic persisted queries: the hash alone is not supported, the link sends the
//    query text instead and stops sending hashes.
sent.length = 0;
const persisted = new ApolloClient({
  link: createPersistedQueryLink({
    sha256: (text) => createHash("sha256").update(text).digest("hex"),
  }).concat(new HttpLink({ uri: url, fetch: recordingFetch })),
  cache: new InMemoryCache(),
});
// (Real fields: Apollo answers a root `__typename` from its cache without asking.)
const first = await persisted.query({ query: gql`{ products(first: 1) { totalCount } }` });
const second = await persisted.query({ query: gql`{ products(first: 2) { totalCount } }` });
assert.equal(first.data.products.totalCount, second.data.products.totalCount);
assert.equal(sent.length, 3, "hash, then query; then the query alone");

console.log(
  JSON.stringify({
    products: edges.length,
    promoted: promoted.length,
    cached,
    preflightAllowedHeaders: preflight.headers.get("access-control-allow-headers"),
    error: { status: refused.networkError.statusCode, code: errorBody.errors[0].extensions.code },
  }),
);
