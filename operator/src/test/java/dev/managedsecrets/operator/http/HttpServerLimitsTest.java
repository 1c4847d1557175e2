package dev.managedsecrets.operator.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpServerLimitsTest {

  private String request;
  private String response;
  private String nodelay;

  @BeforeEach
  void remember() {
    request = System.getProperty(HttpServerLimits.MAX_REQUEST_TIME);
    response = System.getProperty(HttpServerLimits.MAX_RESPONSE_TIME);
    nodelay = System.getProperty(HttpServerLimits.NODELAY);
  }

  @AfterEach
  void restore() {
    restore(HttpServerLimits.MAX_REQUEST_TIME, request);
    restore(HttpServerLimits.MAX_RESPONSE_TIME, response);
    restore(HttpServerLimits.NODELAY, nodelay);
  }

  private static void restore(String property, String value) {
    if (value == null) {
      System.clearProperty(property);
    } else {
      System.setProperty(property, value);
    }
  }

  @Test
  void theJdkServersGetTheOperatorsLimitsAndNoDelayWhenNoneAreGiven() {
    System.clearProperty(HttpServerLimits.MAX_REQUEST_TIME);
    System.clearProperty(HttpServerLimits.MAX_RESPONSE_TIME);
    System.clearProperty(HttpServerLimits.NODELAY);

    HttpServerLimits.apply();

    assertThat(System.getProperty(HttpServerLimits.MAX_REQUEST_TIME)).isEqualTo("30");
    assertThat(System.getProperty(HttpServerLimits.MAX_RESPONSE_TIME)).isEqualTo("30");
    assertThat(System.getProperty(HttpServerLimits.NODELAY)).isEqualTo("true");
  }

  @Test
  void limitsGivenOnTheCommandLineAreKept() {
    System.setProperty(HttpServerLimits.MAX_REQUEST_TIME, "5");
    System.clearProperty(HttpServerLimits.MAX_RESPONSE_TIME);

    HttpServerLimits.apply();

    assertThat(System.getProperty(HttpServerLimits.MAX_REQUEST_TIME)).isEqualTo("5");
    assertThat(System.getProperty(HttpServerLimits.MAX_RESPONSE_TIME)).isEqualTo("30");
  }
}
