package dev.managedsecrets.cli.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.managedsecrets.cli.CliException;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class OutputFormatsTest {

  static final ObjectMapper MAPPER = new ObjectMapper();

  static JsonNode json(String s) throws Exception {
    return MAPPER.readTree(s);
  }

  static String print(String json, Output.Format format, String query) throws Exception {
    StringWriter out = new StringWriter();
    Output.print(json(json), "DescribeSecret", format, query, new PrintWriter(out));
    return out.toString();
  }

  @Test
  void jsonIsIndentedByFourWithColonSpaceAsPythonPrintsIt() throws Exception {
    assertThat(
            Json.print(
                json(
                    "{\"a\":\"x\",\"n\":1,\"b\":true,\"z\":null,\"l\":[],\"o\":{},\"t\":[{\"k\":\"v\"}]}")))
        .isEqualTo(
            """
            {
                "a": "x",
                "n": 1,
                "b": true,
                "z": null,
                "l": [],
                "o": {},
                "t": [
                    {
                        "k": "v"
                    }
                ]
            }""");
  }

  @Test
  void jsonEscapesControlCharactersButNotNonAscii() throws Exception {
    assertThat(Json.print(json("\"q\\\"b\\\\n\\n\\t\\u0001é/\"")))
        .isEqualTo("\"q\\\"b\\\\n\\n\\t\\u0001é/\"");
  }

  @Test
  void textPrintsScalarsTabSeparatedInKeyOrderThenNestedListsByKey() throws Exception {
    String response =
        "{\"Name\":\"n\",\"ARN\":\"a\",\"Tags\":[{\"Key\":\"k\",\"Value\":\"v\"},{\"Key\":\"k2\",\"Value\":\"v2\"}],"
            + "\"VersionIdsToStages\":{\"id1\":[\"AWSCURRENT\"]},\"Flag\":false}";
    assertThat(print(response, Output.Format.text, null))
        .isEqualTo("a\tFalse\tn\nTAGS\tk\tv\nTAGS\tk2\tv2\nID1\tAWSCURRENT\n");
  }

  @Test
  void textOfAQueriedListIsOneTabSeparatedLine() throws Exception {
    assertThat(print("{\"L\":[{\"N\":\"a\"},{\"N\":\"b\"}]}", Output.Format.text, "L[].N"))
        .isEqualTo("a\tb\n");
  }

  @Test
  void yamlHasNoDocumentMarkerAndQuotesOnlyWhatItMust() throws Exception {
    assertThat(
            print(
                "{\"Name\":\"prod/x\",\"Port\":\"5432\",\"Tags\":[{\"Key\":\"k\"}]}",
                Output.Format.yaml,
                null))
        .isEqualTo("Name: prod/x\nPort: \"5432\"\nTags:\n- Key: k\n");
  }

  @Test
  void tableTitlesTheOperationAndShowsOneScalarAsAKeyValueRow() throws Exception {
    assertThat(print("{\"RandomPassword\":\"abc\"}", Output.Format.table, null))
        .isEqualTo(
            """
            ---------------------------
            |     DescribeSecret      |
            +-----------------+-------+
            |  RandomPassword |  abc  |
            +-----------------+-------+
            """);
  }

  @Test
  void tableShowsScalarsUnderSortedHeadersAndNestedListsAsIndentedSections() throws Exception {
    String table =
        print(
            "{\"Name\":\"n\",\"ARN\":\"a\",\"Tags\":[{\"Key\":\"k\",\"Value\":\"v\"}]}",
            Output.Format.table,
            null);
    assertThat(table)
        .isEqualTo(
            """
            --------------------
            |  DescribeSecret  |
            +-------+----------+
            |  ARN  |  Name    |
            +-------+----------+
            |  a    |  n       |
            +-------+----------+
            ||      Tags      ||
            |+------+---------+|
            ||  Key |  Value  ||
            |+------+---------+|
            ||  k   |  v      ||
            |+------+---------+|
            """);
  }

  @Test
  void aQueryThatIsNotJmesPathIsAUsageError() {
    assertThatThrownBy(() -> Output.query("SecretList[?"))
        .isInstanceOf(CliException.class)
        .hasMessageStartingWith("Bad value for --query SecretList[?: ")
        .extracting(e -> ((CliException) e).exitCode())
        .isEqualTo(252);
  }

  @Test
  void nothingIsPrintedForAnOperationWithoutResponse() {
    StringWriter out = new StringWriter();
    Output.print(null, "TagResource", Output.Format.json, null, new PrintWriter(out));
    assertThat(out.toString()).isEmpty();
  }
}
