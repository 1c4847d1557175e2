package dev.managedsecrets.operator.store;

/** The store contract against the PostgreSQL store on a real PostgreSQL server. */
class PostgresSecretStoreContractIT extends SecretStoreContract {

  private TestPostgres postgres;
  private PostgresSecretStore store;

  @Override
  protected SecretStore openStore() {
    postgres = TestPostgres.start();
    store = PostgresStoreStartup.open(postgres.settings("store_contract"));
    return store;
  }

  @Override
  protected void closeStore() {
    if (store != null) {
      store.close();
    }
    postgres.close();
  }
}
