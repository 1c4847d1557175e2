package dev.managedsecrets.operator.it;

import dev.managedsecrets.operator.store.TestPostgres;
import java.util.List;

/**
 * {@link WritesPerSecretIT} with {@code store.type: postgres}: the store's writes are database
 * transactions, so the API sees a create make four writes and a value change three.
 */
class WritesPerSecretPostgresIT extends WritesPerSecretIT {

  TestPostgres postgres;

  @Override
  TestCluster startCluster() {
    postgres = TestPostgres.start();
    TestCluster started = TestCluster.withoutOperator();
    PostgresOperatorIT.createCredentials(started, TestPostgres.USER, TestPostgres.PASSWORD);
    started.configure = PostgresOperatorIT.usePostgres(postgres);
    started.startOperator();
    return started;
  }

  @Override
  void stopCluster() {
    cluster.close();
    postgres.close();
  }

  @Override
  List<String> storeWrites(String... writes) {
    return List.of();
  }
}
