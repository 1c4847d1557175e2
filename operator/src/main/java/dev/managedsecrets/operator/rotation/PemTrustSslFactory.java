package dev.managedsecrets.operator.rotation;

import dev.managedsecrets.core.crypto.PemTrust;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Properties;
import org.postgresql.PGProperty;
import org.postgresql.ssl.WrappedFactory;

/**
 * pgjdbc's {@code sslfactory} for verify-ca and verify-full with CA certificates held in memory
 * (base64 PEM in {@code sslfactoryarg}): the server's certificate must chain to them and nothing
 * else; pgjdbc checks the host name for verify-full. No file is written.
 */
public final class PemTrustSslFactory extends WrappedFactory {

  /** Called by pgjdbc with the connection's properties. */
  public PemTrustSslFactory(Properties info) throws GeneralSecurityException {
    String pem = PGProperty.SSL_FACTORY_ARG.getOrDefault(info);
    if (pem == null) {
      throw new GeneralSecurityException("no CA certificates");
    }
    factory = PemTrust.context(Base64.getDecoder().decode(pem)).getSocketFactory();
  }
}
