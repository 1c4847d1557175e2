/**
 * Running without a cluster: {@code managedsecret-operator embedded} ({@link
 * dev.managedsecrets.apiserver.EmbeddedCommand}) starts an API server in the operator's JVM ({@link
 * dev.managedsecrets.apiserver.EmbeddedApiServer}, fabric8's KubernetesMockServer in CRUD mode) and
 * the operator against it, and writes a kubeconfig for the real kubectl.
 *
 * <p>Every integration test that needs an API server uses this one, so the write path they exercise
 * is the one kubectl and the operator use here: the operator's (its {@code TestCluster}: the
 * operator with its own client and User-Agent, every request recorded), the embedded mode's, the
 * store contract's and the kubectl plugin's. {@link
 * dev.managedsecrets.apiserver.EmbeddedApiServer.Options} gives tests a listener that sees every
 * request (method, path, User-Agent, body: the RBAC test checks the chart's roles against the
 * operator's requests with it), the rules a SelfSubjectRulesReview answers, and admission off for
 * the one test that needs to store what the CRD refuses (the operator's own checks of a spec,
 * behind a CRD that does not make them).
 *
 * <p>What the CRUD mock lacks is added in one place, {@link
 * dev.managedsecrets.apiserver.EmbeddedDispatcher}, with a class per concern: discovery, /version
 * and OpenAPI v3 ({@code Discovery}); admission of custom resources by their structural schema
 * (pruning, json-schema-validator) and CEL rules ({@code Admission}, {@code CelRules}); JSON, merge
 * and strategic merge patches ({@code Patches}); server-side apply and managedFields ({@code
 * ManagedFields}); label and field selectors ({@code Selectors}); Tables for {@code kubectl get}
 * ({@code Tables}); watches over plain HTTP ({@code WatchLog}); SelfSubjectRulesReview; request
 * counts ({@link dev.managedsecrets.apiserver.RequestCounts}).
 *
 * <p>Known differences from a real API server, all deliberate to keep this small:
 *
 * <ul>
 *   <li>State is in memory; there is no authentication or authorization, no TLS (it listens on
 *       127.0.0.1 only), no garbage collection of owned objects, and deleting a namespace does not
 *       delete what is in it. A SelfSubjectRulesReview answers everything allowed (or the rules the
 *       options give), whatever the server then does; SelfSubjectAccessReview ({@code kubectl auth
 *       can-i VERB RESOURCE}) is not served, and authorization.k8s.io is not in discovery.
 *   <li>Objects of built-in kinds are checked for their names only: a Secret or a Lease with a
 *       field that a real API server would refuse is stored here. Custom resources are admitted by
 *       their CRD's schema and rules.
 *   <li>Answers are JSON only. Request bodies in protobuf are read for a SelfSubjectRulesReview
 *       only ({@code Protobuf}); any other is refused with 415, and kubectl does not fall back to
 *       JSON: {@code kubectl create secret|configmap|namespace} (typed clients, protobuf) fail
 *       here, while {@code kubectl apply}, {@code edit}, {@code patch} and {@code delete} send JSON
 *       and work.
 *   <li>Watches over plain HTTP (kubectl's) are short long polls: at once when something changed
 *       after the requested resourceVersion, else an empty answer after 1.5 s. Informers (kubectl
 *       wait, kubectl delete) watch again and see every change; {@code kubectl get -w} ends when
 *       the first poll does. fabric8 clients watch over WebSocket, served by the mock itself, whose
 *       label selectors know =, == and != and existence only.
 *   <li>Server-side apply treats lists as atomic (as CRDs without list-type markers do) and
 *       strategic merge patch knows the merge keys of the common core lists only.
 *   <li>Legacy discovery only (kubectl falls back to it from aggregated discovery); OpenAPI v3, and
 *       an empty OpenAPI v2 document (kubectl reads v2 only for kinds no API serves, and older
 *       kubectl than 1.27 cannot validate with it).
 *   <li>Built-in kinds are stored as sent: no defaults, no validation of their fields, and no
 *       controllers (a Deployment starts no pod, a CRD gets no status conditions such as
 *       Established, an aggregated ClusterRole is not filled). kubectl's {@code create} generators
 *       ({@code kubectl create namespace}, {@code kubectl create configmap}) send protobuf, which
 *       this server does not read: use {@code kubectl apply}.
 * </ul>
 */
package dev.managedsecrets.apiserver;
