/**
 * Kubernetes objects (ConfigMaps, Secrets, any kind) backed up as one YAML stream with the fabric8
 * client: {@link com.eazepay.backup.kubernetes.KubernetesSource}, restored into a
 * {@link com.eazepay.backup.kubernetes.KubernetesTarget} (a directory of YAML files or a cluster).
 */
package com.eazepay.backup.kubernetes;
