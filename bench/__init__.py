"""The benchmark of issue 3: our gateway and Hive Gateway + GraphQL Mesh over the same back office."""
