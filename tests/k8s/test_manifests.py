"""deploy/k8s, offline: every overlay builds with kustomize, every object is valid against the
Kubernetes schemas (kubernetes-validate) or the operators' CRD schemas (crd-schemas/), and the
workloads keep the rules README "Deployment" states. Run by `make test-k8s`, which builds
kustomize from the Go module proxy and passes it in $KUSTOMIZE."""
import json
import os
import subprocess
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
OVERLAYS = ["dev", "production"]
KUBERNETES_VERSION = "1.33.0"
CRD_SCHEMAS = {p.stem: json.loads(p.read_text()) for p in (Path(__file__).parent / "crd-schemas").glob("*.json")}


def build(overlay: str) -> list:
    kustomize = os.environ.get("KUSTOMIZE")
    if not kustomize:
        pytest.fail("KUSTOMIZE is not set: run make test-k8s", pytrace=False)
    result = subprocess.run([kustomize, "build", str(ROOT / "deploy/k8s/overlays" / overlay)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@pytest.fixture(scope="module", params=OVERLAYS)
def objects(request):
    return request.param, build(request.param)


def kinds(objects, kind):
    return [o for o in objects if o["kind"] == kind]


def test_every_object_is_valid(objects):
    overlay, docs = objects
    assert docs, f"{overlay} built no objects"
    for doc in docs:
        group_version, kind = doc["apiVersion"], doc["kind"]
        key = f"{group_version.replace('/', '-')}-{kind}"
        name = f"{overlay}: {kind}/{doc['metadata']['name']}"
        if "/" in group_version and not group_version.split("/")[0].endswith(".k8s.io") and \
                group_version.split("/")[0] not in ("apps", "batch", "policy", "autoscaling"):
            assert key in CRD_SCHEMAS, f"{name}: no schema for {group_version} {kind}"
            errors = sorted(jsonschema.Draft7Validator(CRD_SCHEMAS[key]).iter_errors(doc), key=str)
            assert not errors, f"{name}: " + "; ".join(
                f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)
        else:
            try:
                kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
            except kubernetes_validate.ValidationError as error:
                pytest.fail(f"{name}: {'/'.join(map(str, error.path))}: {error.message}")


def test_operators_run_postgres_and_kafka_in_production():
    docs = build("production")
    assert [c["metadata"]["name"] for c in kinds(docs, "Cluster")] == ["merch-pg"]
    assert kinds(docs, "Kafka") and kinds(docs, "KafkaNodePool")
    topics = {t["metadata"]["name"]: t for t in kinds(docs, "KafkaTopic")}
    assert "log-channel" in topics
    identities = {c["spec"]["commonName"] for c in kinds(docs, "Certificate") if not c["spec"].get("isCA")}
    assert identities == {"api", "db", "logging"}


def containers(workload):
    return workload["spec"]["template"]["spec"]["containers"]


def test_workloads_are_locked_down_and_bounded(objects):
    overlay, docs = objects
    for workload in kinds(docs, "Deployment") + kinds(docs, "Job"):
        name = f"{overlay}: {workload['kind']}/{workload['metadata']['name']}"
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod.get("automountServiceAccountToken") is False, name
        for container in containers(workload):
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["capabilities"]["drop"] == ["ALL"], name
            assert {"cpu", "memory"} <= set(container["resources"]["requests"]), name
            assert {"cpu", "memory"} <= set(container["resources"]["limits"]), name


def test_probes_replicas_and_autoscaling():
    docs = build("production")
    deployments = {d["metadata"]["name"]: d for d in kinds(docs, "Deployment")}
    assert set(deployments) == {"merch-api", "merch-db", "merch-logging", "merch-web"}
    api = containers(deployments["merch-api"])[0]
    assert deployments["merch-api"]["spec"]["replicas"] == 3
    assert api["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert api["livenessProbe"]["httpGet"]["path"] == "/healthz"
    for name in ("merch-db", "merch-logging"):
        assert deployments[name]["spec"]["replicas"] == 2, name
        # merch-health on the plaintext health-only port (the gRPC port takes mutual TLS only).
        probe = containers(deployments[name])[0]["readinessProbe"]["exec"]["command"]
        assert probe[0] == "merch-health" and probe[1].startswith("127.0.0.1:"), name
    hpas = {h["spec"]["scaleTargetRef"]["name"]: h for h in kinds(docs, "HorizontalPodAutoscaler")}
    assert hpas["merch-api"]["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    assert {p["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"]
            for p in kinds(docs, "PodDisruptionBudget")} == set(deployments)
    headless = [s for s in kinds(docs, "Service") if s["spec"].get("clusterIP") == "None"]
    assert "merch-db-headless" in {s["metadata"]["name"] for s in headless}
    config = kinds(docs, "ConfigMap")[0]["data"]
    assert config["DB_SERVICE_ADDR"] == "dns:///merch-db-headless:50051"
    assert kinds(docs, "Job")[0]["spec"]["template"]["spec"]["containers"][0]["args"] == ["--migrate"]
    assert kinds(docs, "Ingress")


def test_network_policies_admit_only_the_callers():
    docs = build("production")
    policies = {p["metadata"]["name"]: p["spec"] for p in kinds(docs, "NetworkPolicy")}
    assert policies["merch-default-deny"]["podSelector"] == {}

    def callers(policy, port):
        return {peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"]
                for rule in policy["ingress"] if {"port": port, "protocol": "TCP"} in rule["ports"]
                for peer in rule["from"] if "podSelector" in peer}
    assert callers(policies["merch-db-ingress"], 50051) == {"merch-api"}
    assert callers(policies["merch-logging-ingress"], 50052) == {"merch-api", "merch-db"}


def test_the_web_face_is_served_beside_the_api(objects):
    """README "Web face": /shop and /docs go to merch-web (the store's nginx image, which holds
    the built pages), every other path to merch-api; the ingress controller may reach it."""
    overlay, docs = objects
    web = next(d for d in kinds(docs, "Deployment") if d["metadata"]["name"] == "merch-web")
    container = containers(web)[0]
    assert container["image"].split("/")[-1].split(":")[0] == "nginx", container["image"]
    if overlay == "production":
        assert container["image"] == "registry.example.org/merch-store/nginx:1.0.0"
    assert container["readinessProbe"]["httpGet"]["path"] == "/shop/"
    mounts = {m["mountPath"] for m in container["volumeMounts"]}
    assert "/run/nginx" in mounts, "the image renders its configuration into /run/nginx"
    paths = {p["path"]: p["backend"]["service"]["name"]
             for p in kinds(docs, "Ingress")[0]["spec"]["rules"][0]["http"]["paths"]}
    assert paths == {"/shop": "merch-web", "/docs": "merch-web", "/": "merch-api"}
    policies = {p["metadata"]["name"]: p["spec"] for p in kinds(docs, "NetworkPolicy")}
    rule = policies["merch-web-ingress"]["ingress"][0]
    assert rule["from"] == [{"namespaceSelector": {"matchLabels": {
        "kubernetes.io/metadata.name": "ingress-nginx"}}}]
    assert rule["ports"] == [{"port": 8080, "protocol": "TCP"}]


def test_production_admits_postgres_clients_replicas_and_operator():
    """The default deny selects CloudNativePG's instances too, and the operator writes no policy:
    merch-db and the migrations Job reach them, they reach each other, the operator reaches them
    (ports 8000 and 5432, as its networking guide asks)."""
    docs = build("production")
    selected = [p["spec"] for p in kinds(docs, "NetworkPolicy")
                if p["spec"]["podSelector"].get("matchLabels") == {"cnpg.io/cluster": "merch-pg"}]
    assert len(selected) == 1, "no NetworkPolicy admits anyone to the PostgreSQL instances"
    rules = selected[0]["ingress"]

    def admitted(port):
        peers = [peer for rule in rules if {"port": port, "protocol": "TCP"} in rule["ports"]
                 for peer in rule["from"]]
        return [(peer.get("namespaceSelector", {}).get("matchLabels", {}),
                 peer.get("podSelector", {}).get("matchLabels", {})) for peer in peers]
    for name in ("merch-db", "merch-db-migrate"):
        assert ({}, {"app.kubernetes.io/name": name}) in admitted(5432), name
    assert ({}, {"cnpg.io/cluster": "merch-pg"}) in admitted(5432)
    operator = ({"kubernetes.io/metadata.name": "cnpg-system"},
                {"app.kubernetes.io/name": "cloudnative-pg"})
    assert operator in admitted(8000) and operator in admitted(5432)
    # The Job's pods carry the label the policy names.
    job = next(j for j in kinds(docs, "Job") if j["metadata"]["name"] == "merch-db-migrate")
    assert job["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/name"] == "merch-db-migrate"


def test_every_grpc_party_mounts_its_own_identity_and_production_issues_it():
    """README "Security model": each workload reads its own TLS Secret from GRPC_TLS_DIR, and
    the production overlay's cert-manager Certificates name exactly that identity."""
    for overlay in OVERLAYS:
        docs = build(overlay)
        workloads = {o["metadata"]["name"]: o for o in kinds(docs, "Deployment") + kinds(docs, "Job")}
        expected = {"merch-api": "api", "merch-db": "db", "merch-logging": "logging",
                    "merch-db-migrate": "db"}
        for name, identity in expected.items():
            spec = workloads[name]["spec"]["template"]["spec"]
            container = spec["containers"][0]
            env = {e["name"]: e.get("value") for e in container["env"]}
            mount = next(m for m in container["volumeMounts"] if m["mountPath"] == env["GRPC_TLS_DIR"])
            volume = next(v for v in spec["volumes"] if v["name"] == mount["name"])
            assert volume["secret"]["secretName"] == f"merch-{identity}-tls", (overlay, name)
            assert volume["secret"]["defaultMode"] == 0o440, (overlay, name)
            assert spec["securityContext"]["fsGroup"] == spec["securityContext"]["runAsGroup"]
    certificates = {c["spec"]["secretName"]: c["spec"] for c in kinds(build("production"), "Certificate")}
    for identity in ("api", "db", "logging"):
        spec = certificates[f"merch-{identity}-tls"]
        assert spec["dnsNames"] == [identity]
        assert {"server auth", "client auth"} <= set(spec["usages"])
        assert spec["issuerRef"]["name"] == "merch-ca"
