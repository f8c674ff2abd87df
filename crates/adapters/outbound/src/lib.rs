//! Requests to other systems, for outgoing webhooks. Only to addresses that may be reached:
//! the name is resolved here, every address it resolves to is checked (no loopback, private,
//! link-local, cloud metadata, shared, documentation, multicast or otherwise reserved one,
//! IPv4-mapped IPv6 included), and the connection goes to those checked addresses, so a name
//! cannot change what it points to between the check and the request. An operator can allow
//! hosts by name (`host` or `host:port`) for endpoints on a private network. Requests follow
//! no redirects, give up after a timeout, and read at most a capped part of the answer.

use async_trait::async_trait;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};
use tandem_app::ports::{OutboundError, OutboundHttp, OutboundReply, OutboundRequest};

/// What requests may reach, and how long and how much of them is waited for.
#[derive(Debug, Clone)]
pub struct OutboundSettings {
    /// Hosts reached even at a private address: `host` (any port) or `host:port`, compared
    /// without case.
    pub allowed_hosts: Vec<String>,
    /// Off: only the allowed hosts are reached, public addresses included (a closed network,
    /// or a test suite that must send nothing anywhere else).
    pub allow_public_addresses: bool,
    /// The whole request, connecting to the last byte read.
    pub timeout: Duration,
    /// How much of an answer is read before it is dropped.
    pub max_response_bytes: usize,
}

impl Default for OutboundSettings {
    fn default() -> Self {
        Self {
            allowed_hosts: Vec::new(),
            allow_public_addresses: true,
            timeout: Duration::from_secs(10),
            max_response_bytes: 64 * 1024,
        }
    }
}

/// The [`OutboundHttp`] port over `reqwest`.
#[derive(Debug, Clone)]
pub struct HttpOutbound {
    settings: OutboundSettings,
}

impl HttpOutbound {
    pub fn new(settings: OutboundSettings) -> Self {
        Self { settings }
    }

    fn allowed(&self, host: &str, port: u16) -> bool {
        let with_port = format!("{host}:{port}");
        self.settings.allowed_hosts.iter().any(|allowed| {
            allowed.eq_ignore_ascii_case(host) || allowed.eq_ignore_ascii_case(&with_port)
        })
    }

    /// The address to request, its host as written, and the checked addresses to connect to.
    async fn target(
        &self,
        raw: &str,
    ) -> Result<(reqwest::Url, String, Vec<SocketAddr>), OutboundError> {
        let url = reqwest::Url::parse(raw)
            .map_err(|_| OutboundError::Refused("not a valid address".to_owned()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(OutboundError::Refused(
                "only http and https addresses".to_owned(),
            ));
        }
        let host = url
            .host_str()
            .ok_or_else(|| OutboundError::Refused("the address names no host".to_owned()))?
            .to_ascii_lowercase();
        let port = url
            .port_or_known_default()
            .ok_or_else(|| OutboundError::Refused("the address names no port".to_owned()))?;
        let literal = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .ok();
        let addresses: Vec<SocketAddr> = match literal {
            Some(ip) => vec![SocketAddr::new(ip, port)],
            None => tokio::net::lookup_host((host.as_str(), port))
                .await
                .map_err(|_| OutboundError::Failed(format!("the name {host} does not resolve")))?
                .collect(),
        };
        if addresses.is_empty() {
            return Err(OutboundError::Failed(format!(
                "the name {host} does not resolve"
            )));
        }
        let allowed = self.allowed(&host, port);
        if !allowed && !self.settings.allow_public_addresses {
            return Err(OutboundError::Refused(format!(
                "{host} is not among the hosts webhooks may reach here \
                 (integrations.allowed_hosts)"
            )));
        }
        if !allowed
            && let Some(reserved) = addresses.iter().find(|address| !is_public(address.ip()))
        {
            return Err(OutboundError::Refused(format!(
                "{host} is at {}, a loopback, private, link-local or otherwise reserved address, \
                 which webhooks may not reach (an operator can allow the host in \
                 integrations.allowed_hosts)",
                reserved.ip()
            )));
        }
        Ok((url, host, addresses))
    }
}

#[async_trait]
impl OutboundHttp for HttpOutbound {
    async fn check(&self, url: &str) -> Result<(), OutboundError> {
        self.target(url).await.map(|_| ())
    }

    async fn post(&self, request: OutboundRequest) -> Result<OutboundReply, OutboundError> {
        let (url, host, addresses) = self.target(&request.url).await?;
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(self.settings.timeout)
            .resolve_to_addrs(&host, &addresses)
            .build()
            .map_err(|error| {
                OutboundError::Failed(format!("could not make the request: {error}"))
            })?;
        let mut builder = client.post(url);
        for (name, value) in &request.headers {
            builder = builder.header(*name, value);
        }
        let started = Instant::now();
        let mut response = builder
            .body(request.body)
            .send()
            .await
            .map_err(|error| OutboundError::Failed(describe(error)))?;
        let status = response.status().as_u16();
        let cap = self.settings.max_response_bytes;
        let mut body = Vec::new();
        while body.len() < cap {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    let room = cap - body.len();
                    body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                }
                Ok(None) => break,
                Err(error) => return Err(OutboundError::Failed(describe(error))),
            }
        }
        Ok(OutboundReply {
            status,
            latency: started.elapsed(),
            body,
        })
    }
}

/// A request's failure, without its address (which may hold a secret).
fn describe(error: reqwest::Error) -> String {
    if error.is_timeout() {
        "the endpoint did not answer in time".to_owned()
    } else if error.is_connect() {
        "could not connect to the endpoint".to_owned()
    } else {
        format!("the request failed: {}", error.without_url())
    }
}

/// Whether `ip` is an address on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => public_v4(v4),
            None => public_v6(v6),
        },
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // Shared address space (carrier-grade NAT).
        || (a == 100 && (64..128).contains(&b))
        // IETF protocol assignments.
        || (a == 192 && b == 0 && c == 0)
        // Benchmarking.
        || (a == 198 && (b == 18 || b == 19))
        // Reserved for future use.
        || a >= 240)
}

fn public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        // Unique local (fc00::/7), link-local (fe80::/10), site-local (fec0::/10).
        || (s[0] & 0xfe00) == 0xfc00
        || (s[0] & 0xffc0) == 0xfe80
        || (s[0] & 0xffc0) == 0xfec0
        // Documentation.
        || (s[0] == 0x2001 && s[1] == 0x0db8)
        // NAT64 and 6to4 embed IPv4 addresses, private ones among them.
        || (s[0] == 0x0064 && s[1] == 0xff9b)
        || s[0] == 0x2002
        // IPv4-compatible (deprecated) addresses.
        || s[..6] == [0; 6])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_reachable() {
        for reserved in [
            "127.0.0.1",
            "127.255.0.9",
            "0.0.0.0",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.254",
            "192.0.0.8",
            "192.0.2.1",
            "198.18.0.1",
            "224.0.0.1",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "fc00::1",
            "fd00:ec2::254",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "2001:db8::1",
            "64:ff9b::7f00:1",
            "2002:7f00:1::",
        ] {
            let ip: IpAddr = reserved.parse().unwrap();
            assert!(!is_public(ip), "{reserved} must not be reachable");
        }
        for public in [
            "93.184.216.34",
            "8.8.8.8",
            "100.128.0.1",
            "172.32.0.1",
            "2606:4700:4700::1111",
            "::ffff:93.184.216.34",
        ] {
            let ip: IpAddr = public.parse().unwrap();
            assert!(is_public(ip), "{public} is public");
        }
    }

    fn client(allowed: &[&str]) -> HttpOutbound {
        HttpOutbound::new(OutboundSettings {
            allowed_hosts: allowed.iter().map(|host| (*host).to_owned()).collect(),
            ..OutboundSettings::default()
        })
    }

    #[tokio::test]
    async fn loopback_and_private_addresses_are_refused_unless_allowed() {
        let none = client(&[]);
        for url in [
            "http://127.0.0.1:9/",
            "http://localhost:9/",
            "http://[::1]:9/",
            "http://2130706433:9/",
            "http://0x7f.1:9/",
            "http://[::ffff:127.0.0.1]:9/",
            "http://10.0.0.1/",
            "http://169.254.169.254/latest/meta-data/",
        ] {
            match none.check(url).await {
                Err(OutboundError::Refused(why)) => {
                    assert!(why.contains("reserved"), "{url}: {why}")
                }
                other => panic!("{url}: {other:?}"),
            }
        }
        for url in ["ftp://example.com/", "not a url", "mailto:ana@example.com"] {
            assert!(
                matches!(none.check(url).await, Err(OutboundError::Refused(_))),
                "{url}"
            );
        }
        let closed = HttpOutbound::new(OutboundSettings {
            allowed_hosts: vec!["127.0.0.1:9".to_owned()],
            allow_public_addresses: false,
            ..OutboundSettings::default()
        });
        closed.check("http://127.0.0.1:9/").await.unwrap();
        match closed.check("http://93.184.216.34/").await {
            Err(OutboundError::Refused(why)) => assert!(why.contains("allowed_hosts"), "{why}"),
            other => panic!("a public address on a closed network: {other:?}"),
        }
        let allowed = client(&["127.0.0.1:9", "LOCALHOST"]);
        allowed.check("http://127.0.0.1:9/hook").await.unwrap();
        allowed.check("http://localhost:1234/").await.unwrap();
        assert!(matches!(
            allowed.check("http://127.0.0.1:10/").await,
            Err(OutboundError::Refused(_))
        ));
    }
}
