# The operator's image, as the Helm chart runs it. Build the jar first, then the image:
#   mvn -B -q package -DskipTests
#   docker build -t ghcr.io/managedsecrets/managedsecret-operator:0.1.0 .
# The build context holds only the jar (see .dockerignore): no kubeconfig, keyring or other secret
# can end up in a layer.
FROM eclipse-temurin:17-jre

LABEL org.opencontainers.image.title="managedsecret-operator" \
      org.opencontainers.image.description="AWS Secrets Manager's model on Kubernetes" \
      org.opencontainers.image.source="https://github.com/managedsecrets/managedsecret-operator" \
      org.opencontainers.image.licenses="Apache-2.0"

# Owned by root and read-only for the operator's user.
COPY operator/target/managedsecret-operator.jar /opt/managedsecret/managedsecret-operator.jar

# A numeric, non-root user (no entry in /etc/passwd needed), so that Kubernetes can verify
# runAsNonRoot; the chart runs it with a read-only root file system and /tmp as an emptyDir.
USER 10001:10001
WORKDIR /tmp

# Health (/healthz, /readyz) and metrics (/metrics) ports of the default configuration.
EXPOSE 8081 8080

ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/opt/managedsecret/managedsecret-operator.jar"]
CMD ["run", "--config", "/etc/managedsecret/config.yaml"]
