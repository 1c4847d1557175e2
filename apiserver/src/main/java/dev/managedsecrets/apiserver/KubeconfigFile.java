package dev.managedsecrets.apiserver;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;

/**
 * A kubeconfig file, which holds the server's token, so that only its owner can read it: a new one
 * is created with mode 0600, an existing one is set to 0600 before anything is written to it, and
 * it is never written through a symbolic link, nor when another user owns it.
 */
public final class KubeconfigFile {

  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private KubeconfigFile() {}

  /**
   * Opens {@code file} for writing, created if it does not exist.
   *
   * @throws FileSystemException when it is a symbolic link or another user owns it (its reason says
   *     which)
   */
  public static FileChannel open(Path file) throws IOException {
    Path path = file.toAbsolutePath();
    boolean posix = path.getFileSystem().supportedFileAttributeViews().contains("posix");
    if (!Files.isSymbolicLink(path)) {
      try {
        // O_CREAT|O_EXCL: a link put there meanwhile is not followed but found to exist
        FileAttribute<?>[] mode =
            posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                : new FileAttribute<?>[0];
        return FileChannel.open(
            path, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), mode);
      } catch (FileAlreadyExistsException e) {
        // an existing file: checked below
      }
    }
    if (Files.isSymbolicLink(path)) {
      throw new FileSystemException(null, null, "it is a symbolic link");
    }
    UserPrincipal owner = Files.getOwner(path, LinkOption.NOFOLLOW_LINKS);
    UserPrincipal me =
        path.getFileSystem()
            .getUserPrincipalLookupService()
            .lookupPrincipalByName(System.getProperty("user.name"));
    if (!owner.equals(me)) {
      throw new FileSystemException(
          null, null, "it belongs to " + owner.getName() + ", not to " + me.getName());
    }
    if (posix) {
      Files.setPosixFilePermissions(path, OWNER_ONLY);
    }
    Set<OpenOption> write = Set.of(StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    return FileChannel.open(path, write);
  }

  /** Makes {@code text} the whole content of a file that {@link #open} opened. */
  public static void write(FileChannel channel, String text) throws IOException {
    channel.truncate(0);
    channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
    channel.force(true);
  }
}
