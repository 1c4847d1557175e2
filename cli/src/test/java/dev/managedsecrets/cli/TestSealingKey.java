package dev.managedsecrets.cli;

import dev.managedsecrets.cli.seal.KeyFile;
import dev.managedsecrets.core.sealing.PublishedSealingKeys;
import dev.managedsecrets.core.sealing.SealedValue;
import dev.managedsecrets.core.sealing.SealedValueOpener;
import dev.managedsecrets.core.sealing.SealingBinding;
import dev.managedsecrets.core.sealing.SealingPrivateKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * A sealing key pair of a test, standing for the operator's: its public key in a file as {@code
 * fetch-cert} prints it, and what the operator does with the private one (open a sealed value under
 * a binding).
 */
public final class TestSealingKey {

  public final SealingPrivateKey key = SealingPrivateKey.generate();
  private final SealedValueOpener opener =
      new SealedValueOpener(SealedValueOpener.keys(id -> id.equals(key.keyId()) ? key : null));

  /** Writes the public key as fetch-cert prints it into {@code dir}; answers the file. */
  public Path writeCert(Path dir) {
    Path file = dir.resolve("sealing-" + key.keyId() + ".pem");
    try {
      Files.writeString(
          file,
          KeyFile.format(
              new PublishedSealingKeys.Entry(
                  key.keyId(), Instant.parse("2026-01-15T10:00:00Z"), null, key.publicKey())));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** Opens a sealed value under {@code binding}, as the operator would. */
  public byte[] openBytes(String sealed, SealingBinding binding) {
    return opener.open(SealedValue.parse(sealed, "value"), binding, "value");
  }

  /** Opens a sealed value of text under {@code binding}. */
  public String open(String sealed, SealingBinding binding) {
    return new String(openBytes(sealed, binding), StandardCharsets.UTF_8);
  }
}
