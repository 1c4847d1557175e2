package dev.managedsecrets.operator.rotation;

import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * POSTs one step's event to a rotation function over HTTPS, as {@link WebhookRotation} asks: to the
 * Service's address, with the Service's DNS name as the TLS server name and verified by {@link
 * ServiceNameTrust} (the ManagedSecret's CA bundle, an exact name match). Never plaintext, never
 * through a proxy, no redirect followed; connect and read time out; at most {@link #MAX_ANSWER}
 * bytes of the answer are read, and none of it is reported (a failure names the status code only).
 */
public final class RotationFunctionClient implements WebhookRotation.Function {

  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

  /** The longest answer read; a longer one fails the step. */
  public static final int MAX_ANSWER = 64 * 1024;

  private final Duration connectTimeout;
  private final Duration readTimeout;

  public RotationFunctionClient() {
    this(CONNECT_TIMEOUT, READ_TIMEOUT);
  }

  public RotationFunctionClient(Duration connectTimeout, Duration readTimeout) {
    this.connectTimeout = connectTimeout;
    this.readTimeout = readTimeout;
  }

  @Override
  public void call(WebhookRotation.Target target, RotationEvent event) {
    String where = target.url();
    ServiceNameTrust trust;
    try {
      trust = ServiceNameTrust.of(target.caBundle(), target.serverName());
    } catch (IllegalArgumentException e) {
      throw failed(
          event.step() + ": spec.rotation.webhook.caBundle can't be used (" + e.getMessage() + ")");
    }
    HttpsURLConnection c = null;
    try {
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, new TrustManager[] {trust}, null);
      String host =
          target.address().contains(":") ? "[" + target.address() + "]" : target.address();
      URI uri = URI.create("https://" + host + ":" + target.port() + target.path());
      c = (HttpsURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
      c.setSSLSocketFactory(new NamedSockets(tls.getSocketFactory(), target.serverName()));
      c.setHostnameVerifier((address, session) -> names(session, target.serverName()));
      c.setConnectTimeout((int) connectTimeout.toMillis());
      c.setReadTimeout((int) readTimeout.toMillis());
      c.setInstanceFollowRedirects(false);
      c.setUseCaches(false);
      c.setDoOutput(true);
      c.setRequestMethod("POST");
      c.setRequestProperty("Content-Type", "application/json");
      byte[] body = event.json();
      c.setFixedLengthStreamingMode(body.length);
      try (OutputStream out = c.getOutputStream()) {
        out.write(body);
      }
      int status = c.getResponseCode();
      InputStream answer = status >= 400 ? c.getErrorStream() : c.getInputStream();
      long read = drain(answer);
      if (status < 200 || status > 299) {
        throw failed(event.step() + ": the function at " + where + " answered HTTP " + status);
      }
      if (read > MAX_ANSWER) {
        throw failed(
            event.step()
                + ": the function at "
                + where
                + " answered more than "
                + MAX_ANSWER
                + " bytes");
      }
    } catch (SocketTimeoutException e) {
      throw failed(event.step() + ": the function at " + where + " did not answer in time");
    } catch (SSLException e) {
      throw failed(
          event.step()
              + ": TLS with the function at "
              + where
              + " failed, its certificate verified with spec.rotation.webhook.caBundle and the"
              + " name "
              + target.serverName()
              + " ("
              + bounded(e.getMessage())
              + ")");
    } catch (IOException e) {
      throw failed(
          event.step()
              + ": the function at "
              + where
              + " could not be reached ("
              + e.getClass().getSimpleName()
              + ")");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("TLS is not available", e);
    } finally {
      if (c != null) {
        c.disconnect();
      }
    }
  }

  /** Reads the answer to its end, or just past {@link #MAX_ANSWER}; returns the bytes read. */
  private static long drain(InputStream answer) throws IOException {
    if (answer == null) {
      return 0;
    }
    try (InputStream in = answer) {
      byte[] buffer = new byte[8192];
      long total = 0;
      int n;
      while (total <= MAX_ANSWER && (n = in.read(buffer)) != -1) {
        total += n;
      }
      return total;
    }
  }

  private static boolean names(SSLSession session, String serverName) {
    try {
      Certificate[] peer = session.getPeerCertificates();
      return peer.length > 0
          && peer[0] instanceof X509Certificate leaf
          && ServiceNameTrust.names(leaf, serverName);
    } catch (SSLPeerUnverifiedException e) {
      return false;
    }
  }

  private static String bounded(String message) {
    if (message == null) {
      return "no detail";
    }
    return message.length() <= 300 ? message : message.substring(0, 300) + "...";
  }

  static SecretsManagerException failed(String message) {
    return new SecretsManagerException(AwsError.INVALID_REQUEST_EXCEPTION, message);
  }

  /**
   * The TLS sockets of one call: each names the Service's DNS name to the server (SNI), since the
   * connection goes to the Service's address.
   */
  private static final class NamedSockets extends SSLSocketFactory {
    private final SSLSocketFactory delegate;
    private final String serverName;

    NamedSockets(SSLSocketFactory delegate, String serverName) {
      this.delegate = delegate;
      this.serverName = serverName;
    }

    private Socket named(Socket socket) {
      if (socket instanceof SSLSocket ssl) {
        SSLParameters parameters = ssl.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(serverName)));
        ssl.setSSLParameters(parameters);
      }
      return socket;
    }

    @Override
    public Socket createSocket() throws IOException {
      return named(delegate.createSocket());
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose)
        throws IOException {
      return named(delegate.createSocket(s, host, port, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return named(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress local, int localPort)
        throws IOException {
      return named(delegate.createSocket(host, port, local, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return named(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort)
        throws IOException {
      return named(delegate.createSocket(host, port, local, localPort));
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return delegate.getSupportedCipherSuites();
    }
  }
}
