/**
 * The in-memory Kubernetes API server: {@link dev.managedsecrets.apiserver.EmbeddedApiServer}
 * (fabric8's CRUD mock, served by {@link dev.managedsecrets.apiserver.LoopbackHttp}, with the
 * project's CRDs installed) and what the mock lacks, added in {@link
 * dev.managedsecrets.apiserver.EmbeddedDispatcher} with a class per concern. The operator's {@code
 * embedded} command, the integration tests and the benchmarks run against it; {@link
 * dev.managedsecrets.apiserver.Main} runs it alone. What it implements, what it does differently
 * from a real API server and how to use it: the module's README.md.
 */
package dev.managedsecrets.apiserver;
