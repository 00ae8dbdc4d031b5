//! Who a request made on behalf of a mirrored site may go to, and with what: the user's cookies only to the site
//! the user chose, and never a request from a site on a public address into the user's own network.
//!
//! A mirrored site (its pages, its robots.txt, its sitemaps) decides which URLs get fetched, so it must not decide
//! who receives the user's cookies or which machines get asked. Two rules, both decided here:
//! - **Credentials**: the site's own origin is fetched with the user's cookies (a logged-in mirror, as the user
//!   sees it); every other origin without (`credentials: 'omit'`).
//! - **Address spaces** (the Local Network Access terms Chromium uses: `public`, `local`, `loopback`): every
//!   request states the address space it may reach (`fetch(url, {targetAddressSpace})`), and Chromium refuses it,
//!   before sending anything, when the address it connects to is in another one — so a name that resolves (or
//!   re-resolves: DNS rebinding) to a private address is refused by the browser itself. The site's own origin may
//!   be reached in the site's own space (an intranet wiki the user mirrors); every other host only on a public
//!   address. Hosts that are private by their very name (IP literals, `localhost`, `.local`, `.internal`…) are
//!   refused before any request.
//!
//! Pure: the site's own address space is measured by the host (a probe) and handed in.

use crate::url::Url;
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr};

/// Where an address is, in Chromium's Local Network Access terms (the values of `targetAddressSpace`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AddressSpace {
    /// Reachable from anywhere.
    Public,
    /// The user's local network: RFC 1918, carrier-grade NAT, link-local, unique-local IPv6, `.local` names.
    Local,
    /// This machine.
    Loopback,
}

impl AddressSpace {
    /// The value `fetch()` takes as `targetAddressSpace`.
    pub fn as_str(self) -> &'static str {
        match self {
            AddressSpace::Public => "public",
            AddressSpace::Local => "local",
            AddressSpace::Loopback => "loopback",
        }
    }

    /// The space named by `fetch()`'s spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "public" => Some(AddressSpace::Public),
            "local" => Some(AddressSpace::Local),
            "loopback" => Some(AddressSpace::Loopback),
            _ => None,
        }
    }
}

/// The address space a URL's host is in by its very name, when the name tells: IP literals always, and the names
/// that never resolve to a public address (`localhost`, `*.localhost`, `*.local`, `*.internal`, `*.home.arpa`,
/// `*.lan`, and single-label names, which resolvers complete with the local search domain). `None` for other names:
/// their space is known only once resolved (Chromium checks it then).
pub fn space_by_name(url: &Url) -> Option<AddressSpace> {
    match url.host()? {
        url::Host::Ipv4(ip) => Some(space_of_ip(IpAddr::V4(ip))),
        url::Host::Ipv6(ip) => Some(space_of_ip(IpAddr::V6(ip))),
        url::Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            let ends = |suffix: &str| name == suffix || name.ends_with(&format!(".{suffix}"));
            if ends("localhost") {
                Some(AddressSpace::Loopback)
            } else if ["local", "internal", "home.arpa", "lan", "intranet", "corp", "private"].iter().any(|s| ends(s))
                || !name.contains('.')
            {
                Some(AddressSpace::Local)
            } else {
                None
            }
        }
    }
}

/// The address space of an IP address (the ranges Chromium's Local Network Access uses).
pub fn space_of_ip(ip: IpAddr) -> AddressSpace {
    match ip {
        IpAddr::V4(v4) => space_of_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return space_of_v4(v4);
            }
            let s = v6.segments();
            if v6.is_loopback() || v6.is_unspecified() {
                AddressSpace::Loopback
            } else if (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (s[0] & 0xffc0) == 0xfec0 // site-local fec0::/10 (deprecated, still private)
                || (s[0] & 0xff00) == 0xff00
            // multicast
            {
                AddressSpace::Local
            } else if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                // NAT64: the IPv4 address is in the last 32 bits.
                space_of_v4(Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8))
            } else {
                AddressSpace::Public
            }
        }
    }
}

fn space_of_v4(ip: Ipv4Addr) -> AddressSpace {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() || a == 0 {
        // 0.0.0.0/8 reaches this machine on Linux and macOS.
        AddressSpace::Loopback
    } else if ip.is_private() // 10/8, 172.16/12, 192.168/16
        || ip.is_link_local() // 169.254/16
        || (a == 100 && (64..128).contains(&b)) // 100.64/10, carrier-grade NAT
        || (a == 198 && (b == 18 || b == 19)) // 198.18/15, benchmarking: never routed publicly
        || ip.is_broadcast()
        || a >= 224
    {
        AddressSpace::Local
    } else {
        AddressSpace::Public
    }
}

/// How one request for a site is made: with or without the user's cookies, and which address space it may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestPlan {
    /// `fetch()`'s `credentials`: `"include"` for the site's own origin, `"omit"` for every other.
    pub credentials: &'static str,
    /// `fetch()`'s `targetAddressSpace`.
    pub target_address_space: &'static str,
}

/// Why a URL may not be requested on behalf of a site: `None` when it may (then [`plan`] says how).
///
/// `site_space` is the address space the site itself was found in.
pub fn refusal(site: &Url, site_space: AddressSpace, url: &Url) -> Option<&'static str> {
    if url.origin() == site.origin() {
        // The site's own origin, in the site's own space (checked again by the browser at connect time).
        return None;
    }
    match space_by_name(url) {
        Some(AddressSpace::Public) | None => None,
        Some(_) if site_space == AddressSpace::Public => {
            Some("a site on a public address may not make the browser request a private or local address")
        }
        Some(_) => Some("only the mirrored site's own origin may be requested on a private or local address"),
    }
}

/// How to request `url` on behalf of `site` (call [`refusal`] first).
pub fn plan(site: &Url, site_space: AddressSpace, url: &Url) -> RequestPlan {
    if url.origin() == site.origin() {
        RequestPlan { credentials: "include", target_address_space: site_space.as_str() }
    } else {
        RequestPlan { credentials: "omit", target_address_space: AddressSpace::Public.as_str() }
    }
}
