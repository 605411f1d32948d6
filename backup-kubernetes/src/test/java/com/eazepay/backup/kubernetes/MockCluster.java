package com.eazepay.backup.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.APIVersionsBuilder;
import java.util.Queue;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;

import java.net.InetAddress;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * fabric8's mock API server in CRUD mode, in-process on loopback (there is no real API server on
 * this machine). It stores what it is sent; it does not run admission, defaulting, immutability
 * enforcement or server-side apply field management.
 */
final class MockCluster implements AutoCloseable {

    static final CustomResourceDefinitionContext WIDGETS = new CustomResourceDefinitionContext.Builder()
            .withGroup("example.com").withVersion("v1").withKind("Widget").withPlural("widgets").withScope("Namespaced").build();

    final KubernetesMockServer server;
    final KubernetesClient client;

    MockCluster() {
        Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), expectations,
                new KubernetesMixedDispatcher(expectations, List.of(WIDGETS)), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
    }

    /**
     * Serves the discovery documents kubectl reads before it applies anything ({@code /api},
     * {@code /api/v1} with configmaps, secrets and namespaces); the CRUD mock does not serve them.
     */
    void serveCoreDiscoveryForKubectl() {
        var versions = new APIVersionsBuilder().withVersions("v1").build();
        var core = new APIResourceListBuilder().withGroupVersion("v1").withResources(
                new APIResourceBuilder().withName("configmaps").withKind("ConfigMap").withNamespaced(true)
                        .withVerbs("create", "delete", "get", "list", "patch", "update").build(),
                new APIResourceBuilder().withName("secrets").withKind("Secret").withNamespaced(true)
                        .withVerbs("create", "delete", "get", "list", "patch", "update").build(),
                new APIResourceBuilder().withName("namespaces").withKind("Namespace").withNamespaced(false)
                        .withVerbs("create", "delete", "get", "list", "patch", "update").build()).build();
        for (String q : List.of("", "?timeout=32s")) {
            server.expect().get().withPath("/api" + q).andReturn(200, versions).always();
            server.expect().get().withPath("/api/v1" + q).andReturn(200, core).always();
        }
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }

    void namespace(String ns) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    }

    static byte[] bytes(int seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A ConfigMap with text and binary data, labels, annotations (incl. kubectl's last-applied) and an owner. */
    ConfigMap configMap(String ns, String name, int seed) {
        ConfigMap cm = new ConfigMapBuilder().withNewMetadata().withNamespace(ns).withName(name)
                .addToLabels("app", "payments").addToLabels("seed", Integer.toString(seed))
                .addToAnnotations("eazepay.com/owner", "team-pay")
                .addToAnnotations(ObjectYaml.LAST_APPLIED, "{\"apiVersion\":\"v1\"}")
                .addNewOwnerReference().withApiVersion("apps/v1").withKind("Deployment").withName("api")
                .withUid("0b7c-uid").endOwnerReference()
                .endMetadata()
                .addToData("application.yaml", "server:\n  port: 8080\nname: " + name + "\n")
                .addToData("empty", "")
                .addToBinaryData("keystore.bin", Base64.getEncoder().encodeToString(bytes(seed, 300)))
                .build();
        return client.configMaps().inNamespace(ns).resource(cm).create();
    }

    /** An Opaque Secret holding binary (non-UTF-8) values. */
    Secret secret(String ns, String name, int seed) {
        Secret s = new SecretBuilder().withNewMetadata().withNamespace(ns).withName(name).addToLabels("app", "payments")
                .addToAnnotations("eazepay.com/rotated", "2026-11-01").endMetadata()
                .withType(seed % 2 == 0 ? "Opaque" : "kubernetes.io/tls")
                .addToData(seed % 2 == 0 ? "password" : "tls.crt", Base64.getEncoder().encodeToString(bytes(seed, 64)))
                .addToData(seed % 2 == 0 ? "api-key" : "tls.key", Base64.getEncoder().encodeToString(bytes(seed + 1, 48)))
                .build();
        return client.secrets().inNamespace(ns).resource(s).create();
    }

    GenericKubernetesResource widget(String ns, String name) {
        GenericKubernetesResource w = new GenericKubernetesResource();
        w.setApiVersion("example.com/v1");
        w.setKind("Widget");
        w.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withNamespace(ns).withName(name).build());
        w.setAdditionalProperty("spec", new LinkedHashMap<>(Map.of("size", 3, "color", "blue")));
        return client.genericKubernetesResources(new KindSpec("example.com/v1", "Widget", "widgets", true).context())
                .inNamespace(ns).resource(w).create();
    }
}
