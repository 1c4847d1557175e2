/**
 * The operator's Kubernetes clients: each one's requests take a token of its own {@link
 * dev.managedsecrets.operator.apiclient.TokenBucket} before they are sent (config {@code api.qps},
 * {@code api.burst}).
 */
package dev.managedsecrets.operator.apiclient;
