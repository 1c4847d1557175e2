package dev.managedsecrets.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kubeconfig holds the server's token: only its owner can read it, and it goes nowhere else.
 */
class KubeconfigFileTest {

  @TempDir Path dir;

  /** Writes "kubeconfig" as a kubeconfig is written. */
  private static void write(Path file) throws IOException {
    try (FileChannel channel = KubeconfigFile.open(file)) {
      KubeconfigFile.write(channel, "kubeconfig");
    }
  }

  private static String mode(Path file) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
  }

  @Test
  void theKubeconfigIsReadableByItsOwnerOnlyAndItsTokenOpensTheServer() throws Exception {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      Path kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"));
      assertThat(mode(kubeconfig)).isEqualTo("rw-------");
      assertThat(Files.readString(kubeconfig)).contains("token: \"" + api.token() + "\"");
      Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
      try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
        assertThat(client.namespaces().list().getItems())
            .extracting(Namespace::getMetadata)
            .extracting(m -> m.getName())
            .contains("default");
      }
    }
  }

  @Test
  void anExistingFileIsMadeOwnerOnlyAndReplaced() throws Exception {
    Path existing = Files.writeString(dir.resolve("kubeconfig"), "an older, longer kubeconfig\n");
    Files.setPosixFilePermissions(existing, PosixFilePermissions.fromString("rw-r--r--"));
    write(existing);
    assertThat(mode(existing)).isEqualTo("rw-------");
    assertThat(Files.readString(existing)).isEqualTo("kubeconfig");
  }

  @Test
  void aSymbolicLinkIsRefusedAndItsTargetIsUntouched() throws Exception {
    Path target = Files.writeString(dir.resolve("precious"), "not a kubeconfig\n");
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
    Path link = Files.createSymbolicLink(dir.resolve("kubeconfig"), target);
    FileSystemException e = catchThrowableOfType(FileSystemException.class, () -> write(link));
    assertThat(e.getReason()).isEqualTo("it is a symbolic link");
    assertThat(Files.readString(target)).isEqualTo("not a kubeconfig\n");
    assertThat(mode(target)).isEqualTo("rw-r--r--");

    Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("elsewhere"));
    assertThat(catchThrowableOfType(FileSystemException.class, () -> write(dangling))).isNotNull();
    assertThat(dir.resolve("elsewhere")).doesNotExist();
  }

  @Test
  void anotherUsersFileIsRefusedAndUntouched() throws Exception {
    Path theirs = Files.writeString(dir.resolve("kubeconfig"), "theirs\n");
    UserPrincipal other;
    try {
      other =
          theirs.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
      Files.setOwner(theirs, other);
    } catch (IOException e) {
      assumeTrue(false, "giving a file to another user needs root: " + e);
      return;
    }
    FileSystemException e = catchThrowableOfType(FileSystemException.class, () -> write(theirs));
    assertThat(e.getReason()).startsWith("it belongs to nobody, not to ");
    assertThat(Files.readString(theirs)).isEqualTo("theirs\n");
  }
}
