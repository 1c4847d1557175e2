package dev.managedsecrets.operator.endpoint;

import java.util.UUID;

/**
 * The floor of the endpoint's benchmark: the endpoint's own HTTP server ({@link HttpFront}: same
 * threads, same body bounds, same headers) answering every call with one constant body, checking no
 * signature and reading nothing. It lives in the endpoint's package, in the bench module only.
 */
public final class ConstantFront implements AutoCloseable {

  private final HttpFront front;

  private ConstantFront(HttpFront front) {
    this.front = front;
  }

  /** Answers every call on 127.0.0.1 (any free port, plain HTTP) with {@code body}. */
  public static ConstantFront start(byte[] body) {
    String requestId = UUID.randomUUID().toString();
    Dispatcher.Answer answer = new Dispatcher.Answer(200, body.clone(), null, requestId);
    HttpFront.Handler constant =
        new HttpFront.Handler() {
          @Override
          public Dispatcher.Answer handle(HttpCall call) {
            return answer;
          }

          @Override
          public Dispatcher.Answer refuse(HttpCall call, AwsException error) {
            return Dispatcher.error(error, requestId);
          }
        };
    return new ConstantFront(HttpFront.start("127.0.0.1", 0, null, constant));
  }

  public String url() {
    return "http://127.0.0.1:" + front.port();
  }

  @Override
  public void close() {
    front.close();
  }
}
