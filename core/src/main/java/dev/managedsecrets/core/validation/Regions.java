package dev.managedsecrets.core.validation;

import java.util.List;
import java.util.Objects;

/**
 * The operator's own region and the peer regions it may replicate secrets to, as its configuration
 * names them: what a ManagedSecret's replica regions are checked against.
 *
 * @param own the operator's region (config.region)
 * @param peers the regions of config.replication.peers, in their configured order
 */
public record Regions(String own, List<String> peers) {

  public Regions {
    Objects.requireNonNull(own, "own");
    peers = peers == null ? List.of() : List.copyOf(peers);
  }

  /** True when {@code region} is a configured peer. */
  public boolean isPeer(String region) {
    return peers.contains(region);
  }
}
