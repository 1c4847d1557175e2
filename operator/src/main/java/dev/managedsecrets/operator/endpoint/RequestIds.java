package dev.managedsecrets.operator.endpoint;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Request and event ids (random UUIDs, version 4): unique, not secret, so drawn from each thread's
 * own generator rather than {@link UUID#randomUUID()}, whose SecureRandom every call of every
 * thread would otherwise queue for (two ids per call).
 */
final class RequestIds {

  private RequestIds() {}

  static String next() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L; // version 4
    long low = (random.nextLong() & ~(0xC000000000000000L)) | 0x8000000000000000L; // IETF variant
    return new UUID(high, low).toString();
  }
}
