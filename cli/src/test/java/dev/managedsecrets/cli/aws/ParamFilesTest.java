package dev.managedsecrets.cli.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedsecrets.cli.CliException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParamFilesTest {

  @TempDir Path dir;

  @Test
  void aLiteralIsItself() {
    assertThat(ParamFiles.text("--secret-string", "plain")).isEqualTo("plain");
  }

  @Test
  void fileReadsTextAsItIsWithItsNewline() throws Exception {
    Path f = dir.resolve("v.txt");
    Files.writeString(f, "héllo\n", StandardCharsets.UTF_8);
    assertThat(ParamFiles.text("--secret-string", "file://" + f)).isEqualTo("héllo\n");
  }

  @Test
  void filebReadsBytesAndABlobBecomesBase64() throws Exception {
    Path f = dir.resolve("v.bin");
    byte[] bytes = {(byte) 0xff, 0, 7};
    Files.write(f, bytes);
    assertThat(ParamFiles.base64("--secret-binary", "fileb://" + f))
        .isEqualTo(Base64.getEncoder().encodeToString(bytes));
  }

  @Test
  void aBlobGivenLiterallyOrAsFileIsBase64Already() throws Exception {
    Path f = dir.resolve("v.b64");
    Files.writeString(f, "AAEC\n");
    assertThat(ParamFiles.base64("--secret-binary", "file://" + f)).isEqualTo("AAEC");
    assertThat(ParamFiles.base64("--secret-binary", "AAEC")).isEqualTo("AAEC");
  }

  @Test
  void invalidBase64IsRefusedWithoutEchoingTheValue() {
    assertThatThrownBy(() -> ParamFiles.base64("--secret-binary", "s3cr3t!!"))
        .isInstanceOf(CliException.class)
        .hasMessageStartingWith("Error parsing parameter '--secret-binary': Invalid base64")
        .hasMessageNotContaining("s3cr3t");
  }

  @Test
  void aMissingFileIsAParameterErrorNamingTheFile() {
    assertThatThrownBy(() -> ParamFiles.text("--secret-string", "file://" + dir + "/missing"))
        .isInstanceOf(CliException.class)
        .hasMessage(
            "Error parsing parameter '--secret-string': Unable to load paramfile file://"
                + dir
                + "/missing: No such file or directory: '"
                + dir
                + "/missing'")
        .extracting(e -> ((CliException) e).exitCode())
        .isEqualTo(252);
  }

  @Test
  void aDirectoryIsNotAParamFile() {
    assertThatThrownBy(() -> ParamFiles.text("--description", "file://" + dir))
        .hasMessageContaining("Is a directory");
  }

  @Test
  void filebForTextMustBeUtf8() throws Exception {
    Path f = dir.resolve("latin1");
    Files.write(f, new byte[] {(byte) 0xe9});
    assertThatThrownBy(() -> ParamFiles.text("--secret-string", "fileb://" + f))
        .hasMessageContaining("not UTF-8 text; use --secret-binary fileb://");
  }
}
