package dev.managedsecrets.operator.replication;

import dev.managedsecrets.core.sealing.PublishedSealingKeys;
import dev.managedsecrets.core.sealing.SealingPublicKey;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sealing public keys of the peer regions, as each peer's operator publishes them (the
 * ConfigMap {@value PublishedSealingKeys#CONFIG_MAP} of its namespace), read through the peer's own
 * kubeconfig: the channel the configuration trusts, never the object being checked. A key id not
 * known yet reads the keys again, at most once per {@link #REFRESH}.
 */
public final class PeerKeys {

  static final Duration REFRESH = Duration.ofSeconds(10);

  private record Read(PublishedSealingKeys keys, Instant at) {}

  private final PeerClients peers;
  private final Clock clock;
  private final Map<String, Read> read = new ConcurrentHashMap<>();

  public PeerKeys(PeerClients peers, Clock clock) {
    this.peers = peers;
    this.clock = clock;
  }

  /** The key new payloads for {@code region} are sealed for: its operator's current key. */
  public SealingPublicKey current(String region) {
    PublishedSealingKeys keys = keys(region, null);
    String id = keys.currentKeyId();
    SealingPublicKey key = id == null ? null : find(keys, id);
    if (key == null) {
      throw new PeerClients.PeerUnavailable(
          "Region " + region + " publishes no current sealing key yet.");
    }
    return key;
  }

  /** The key {@code keyId} of {@code region}'s operator, or null when it publishes none such. */
  public SealingPublicKey key(String region, String keyId) {
    return find(keys(region, keyId), keyId);
  }

  private PublishedSealingKeys keys(String region, String wanted) {
    Read known = read.get(region);
    Instant now = clock.instant();
    boolean stale =
        known == null
            || (wanted != null
                && find(known.keys(), wanted) == null
                && known.at().plus(REFRESH).isBefore(now))
            || (wanted == null && known.at().plus(Duration.ofMinutes(5)).isBefore(now));
    if (!stale) {
      return known.keys();
    }
    PeerClients.Peer peer = peers.peer(region);
    ConfigMap map =
        peer.client()
            .configMaps()
            .inNamespace(peer.namespace())
            .withName(PublishedSealingKeys.CONFIG_MAP)
            .get();
    String json =
        map == null || map.getData() == null ? null : map.getData().get(PublishedSealingKeys.KEYS);
    if (json == null) {
      throw new PeerClients.PeerUnavailable(
          "Region "
              + region
              + " publishes no sealing keys (ConfigMap "
              + peer.namespace()
              + "/"
              + PublishedSealingKeys.CONFIG_MAP
              + ").");
    }
    PublishedSealingKeys keys = PublishedSealingKeys.parse(json);
    read.put(region, new Read(keys, now));
    return keys;
  }

  private static SealingPublicKey find(PublishedSealingKeys keys, String keyId) {
    return keys.key(keyId).map(PublishedSealingKeys.Entry::publicKey).orElse(null);
  }
}
