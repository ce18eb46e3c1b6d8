//! An engine whose certificate is refused: the provider's error names why and how to fix it,
//! and the fix it names works.
//!
//! Each case serves the simulated engine with a certificate that is wrong in one way, made
//! here with a CA of the test's own (as an engine's installer makes its own CA).

use crate::common;

use std::time::Duration;

use common::*;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType, IsCa, KeyPair,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use vmyard::sim::{Sim, Source};

struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl Ca {
    fn new() -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, "engine.test CA");
        params.distinguished_name = dn;
        Ca {
            issuer: CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap(),
        }
    }

    fn pem(&self) -> String {
        self.issuer.pem()
    }

    /// A server certificate for `names`, issued by this CA; `expired` dates it in the past.
    fn leaf(
        &self,
        names: &[&str],
        expired: bool,
    ) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
        let mut params =
            CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .unwrap();
        if expired {
            params.not_before = rcgen::date_time_ymd(2020, 1, 1);
            params.not_after = rcgen::date_time_ymd(2021, 1, 1);
        }
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        (
            vec![cert.der().clone()],
            PrivateKeyDer::try_from(key.serialize_der()).unwrap(),
        )
    }
}

/// An engine served with `chain`, handing out `ca` as its CA.
async fn engine(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    ca: String,
) -> TestEngine {
    vmyard::install_crypto_provider();
    let (stop, shutdown) = vmyard::service::shutdown_pair();
    let sim = Sim::new(Source::Fixtures);
    let running = sim
        .clone()
        .serve_with("127.0.0.1:0".parse().unwrap(), chain, key, ca, shutdown)
        .await
        .unwrap();
    TestEngine {
        sim,
        url: running.api_url(),
        ca_pem: running.cert_pem,
        stop,
    }
}

/// A server whose provider `e1` is `engine`, trusting `ca_file` (or the system's roots).
async fn server(engine: &TestEngine, ca_file: Option<&str>) -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let (user, password) = engine.sim.state.lock().unwrap().credentials.clone();
    std::fs::write(dir.path().join("e1.password"), password).unwrap();
    let ca_line = match ca_file {
        Some(pem) => {
            let path = dir.path().join("e1-ca.pem");
            std::fs::write(&path, pem).unwrap();
            format!("ca_file = \"{}\"\n", path.display())
        }
        None => String::new(),
    };
    let provider = format!(
        "[[providers]]\nname = \"e1\"\nurl = \"{}\"\nuser = \"{user}\"\npassword_file = \"e1.password\"\n{ca_line}retry_interval = \"200ms\"\nrefresh_interval = \"200ms\"\n",
        engine.url
    );
    let path = dir.path().join("vmyard.toml");
    write_private(&path, &config_text(dir.path(), &provider));
    TestServer::start_in(dir, path).await
}

/// The provider's error, once it has one.
async fn provider_error(s: &TestServer) -> String {
    let ok = eventually(Duration::from_secs(30), || async {
        provider_state(s, "e1").is_some_and(|p| p.error.is_some())
    })
    .await;
    assert!(ok, "no error: {:?}", provider_state(s, "e1"));
    provider_state(s, "e1").unwrap().error.unwrap().message
}

fn ca_resource(engine: &TestEngine) -> String {
    format!(
        "{}/ovirt-engine/services/pki-resource?resource=ca-certificate&format=X509-PEM-CA",
        engine.url.trim_end_matches("/ovirt-engine/api")
    )
}

#[tokio::test]
async fn an_unknown_issuer_is_named_and_the_ca_it_points_to_fixes_it() {
    let ca = Ca::new();
    let (chain, key) = ca.leaf(&["localhost", "127.0.0.1"], false);
    let engine = engine(chain, key, ca.pem()).await;
    let s = server(&engine, None).await;
    let message = provider_error(&s).await;
    assert!(message.contains("unknown issuer"), "{message}");
    let resource = ca_resource(&engine);
    assert!(
        message.contains(&format!(
            "set ca_file to the engine's CA, which the engine serves at {resource}"
        )),
        "{message}"
    );
    s.stop().await;

    // Following the advice: fetch the CA from where the message says, and trust it.
    let insecure = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    let served = insecure.get(&resource).send().await.unwrap();
    assert!(served.status().is_success());
    let pem = served.text().await.unwrap();
    assert_eq!(pem, ca.pem());
    let s = server(&engine, Some(&pem)).await;
    let state = wait_parity(&s, "e1", 0).await;
    assert!(state.error.is_none(), "{state:?}");
    s.stop().await;
}

#[tokio::test]
async fn a_ca_certificate_served_as_the_engines_own_is_named() {
    // The CA's own certificate, naming the engine's host, served as the server certificate.
    let mut params =
        CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    let engine = engine(
        vec![cert.der().clone()],
        PrivateKeyDer::try_from(key.serialize_der()).unwrap(),
        cert.pem(),
    )
    .await;
    let s = server(&engine, Some(&cert.pem())).await;
    let message = provider_error(&s).await;
    assert!(
        message.contains("the engine serves a CA certificate as its own server certificate"),
        "{message}"
    );
    assert!(message.contains(&ca_resource(&engine)), "{message}");
    s.stop().await;
}

#[tokio::test]
async fn a_certificate_for_another_name_is_named() {
    let ca = Ca::new();
    let (chain, key) = ca.leaf(&["engine.example.org"], false);
    let engine = engine(chain, key, ca.pem()).await;
    let s = server(&engine, Some(&ca.pem())).await;
    let message = provider_error(&s).await;
    assert!(
        message.contains("not valid for the name 127.0.0.1"),
        "{message}"
    );
    assert!(message.contains("engine.example.org"), "{message}");
    s.stop().await;
}

#[tokio::test]
async fn an_expired_certificate_is_named() {
    let ca = Ca::new();
    let (chain, key) = ca.leaf(&["localhost", "127.0.0.1"], true);
    let engine = engine(chain, key, ca.pem()).await;
    let s = server(&engine, Some(&ca.pem())).await;
    let message = provider_error(&s).await;
    assert!(
        message.contains("the engine's certificate has expired"),
        "{message}"
    );
    assert!(message.contains("renew"), "{message}");
    s.stop().await;
}
