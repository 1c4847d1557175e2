package dev.managedsecrets.api.v1alpha1;

/** The database engines of AWS's credential types, with their usual ports. */
public enum DatabaseEngine {
  POSTGRES("postgres", 5432),
  AURORA_POSTGRESQL("aurora-postgresql", 5432),
  MYSQL("mysql", 3306),
  AURORA_MYSQL("aurora-mysql", 3306),
  MARIADB("mariadb", 3306),
  ORACLE("oracle", 1521),
  SQLSERVER("sqlserver", 1433),
  MONGO("mongo", 27017),
  REDSHIFT("redshift", 5439);

  /** The schema's pattern for database.engine. */
  public static final String PATTERN =
      "^(postgres|aurora-postgresql|mysql|aurora-mysql|mariadb|oracle|sqlserver|mongo|redshift)$";

  private final String value;
  private final int defaultPort;

  DatabaseEngine(String value, int defaultPort) {
    this.value = value;
    this.defaultPort = defaultPort;
  }

  public String value() {
    return value;
  }

  /** The engine with this name, or null when there is none. */
  public static DatabaseEngine fromValue(String value) {
    for (DatabaseEngine e : values()) {
      if (e.value.equals(value)) {
        return e;
      }
    }
    return null;
  }

  public int defaultPort() {
    return defaultPort;
  }
}
