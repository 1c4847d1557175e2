package dev.managedsecrets.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.managedsecrets.core.value.PasswordGenerator;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** get-random-password needs no cluster: it uses the operator's generator in this process. */
class GetRandomPasswordTest {

  final Cli cli = new Cli(Map.of("HOME", "/nonexistent"));

  String password(String... options) throws Exception {
    String[] args = new String[options.length + 1];
    args[0] = "get-random-password";
    System.arraycopy(options, 0, args, 1, options.length);
    Cli.Result r = cli.run(args);
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.err()).isEmpty();
    var json = new ObjectMapper().readTree(r.out());
    assertThat(json.fieldNames()).toIterable().containsExactly("RandomPassword");
    return json.get("RandomPassword").asText();
  }

  @Test
  void printsRandomPasswordOf32CharactersOfEveryTypeByDefault() throws Exception {
    String p = password();
    assertThat(p).hasSize(32);
    assertThat(p).containsPattern("[a-z]").containsPattern("[A-Z]").containsPattern("[0-9]");
    assertThat(p.chars().anyMatch(c -> PasswordGenerator.PUNCTUATION.indexOf(c) >= 0)).isTrue();
  }

  @Test
  void honoursLengthExclusionsAndSpace() throws Exception {
    String p =
        password(
            "--password-length",
            "200",
            "--exclude-punctuation",
            "--exclude-uppercase",
            "--exclude-characters",
            "abc012",
            "--include-space");
    assertThat(p).hasSize(200).matches("[d-z3-9 ]+");
    assertThat(password("--exclude-numbers", "--exclude-lowercase", "--exclude-punctuation"))
        .matches("[A-Z]{32}");
  }

  @Test
  void noRequireEachIncludedTypeAllowsAPasswordShorterThanTheTypes() throws Exception {
    assertThat(password("--password-length", "2", "--no-require-each-included-type")).hasSize(2);
    Cli.Result r = cli.run("get-random-password", "--password-length", "2");
    assertThat(r.code()).isEqualTo(254);
    assertThat(r.err())
        .isEqualTo(
            "An error occurred (InvalidParameterException) when calling the GetRandomPassword"
                + " operation: PasswordLength 2 is too short to include each of the 4 included"
                + " character types (RequireEachIncludedType).\n");
  }

  @Test
  void aLengthOutOfRangeIsInvalidParameter() {
    Cli.Result r = cli.run("get-random-password", "--password-length", "4097");
    assertThat(r.code()).isEqualTo(254);
    assertThat(r.err())
        .isEqualTo(
            "An error occurred (InvalidParameterException) when calling the GetRandomPassword"
                + " operation: PasswordLength must be between 1 and 4096; it was 4097.\n");
  }

  @Test
  void textOutputIsThePasswordAlone() {
    Cli.Result r = cli.run("get-random-password", "--password-length", "12", "--output", "text");
    assertThat(r.out()).matches("\\S{12}\n|.{12}\n");
  }
}
