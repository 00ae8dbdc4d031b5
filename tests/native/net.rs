//! Address spaces (`sitemirror::net`): which hosts are private by their very name or address. Issue 11 item 1.
#![cfg(not(target_arch = "wasm32"))]

use sitemirror::net::{space_by_name, space_of_ip, AddressSpace::*};

fn by_name(url: &str) -> Option<sitemirror::net::AddressSpace> {
    space_by_name(&sitemirror::url::parse(url).unwrap())
}

#[test]
fn addresses_are_placed_as_chromium_places_them() {
    let ip = |s: &str| space_of_ip(s.parse().unwrap());
    for a in ["127.0.0.1", "127.9.9.9", "::1", "0.0.0.0", "::", "::ffff:127.0.0.1"] {
        assert_eq!(ip(a), Loopback, "{a}");
    }
    for a in [
        "10.1.2.3",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "fd12::1",
        "fc00::1",
        "fe80::1",
        "::ffff:10.0.0.1",
        "64:ff9b::c0a8:101",
        "224.0.0.1",
        "255.255.255.255",
    ] {
        assert_eq!(ip(a), Local, "{a}");
    }
    for a in ["8.8.8.8", "172.32.0.1", "100.128.0.1", "192.0.2.1", "2001:4860::8888", "64:ff9b::808:808"] {
        assert_eq!(ip(a), Public, "{a}");
    }
}

#[test]
fn names_that_are_private_by_themselves() {
    assert_eq!(by_name("http://localhost:8080/"), Some(Loopback));
    assert_eq!(by_name("http://app.localhost/"), Some(Loopback));
    assert_eq!(by_name("http://printer.local/"), Some(Local));
    assert_eq!(by_name("http://wiki.corp.internal./"), Some(Local));
    assert_eq!(by_name("http://nas.home.arpa/"), Some(Local));
    assert_eq!(by_name("http://intranet/"), Some(Local));
    assert_eq!(by_name("http://[::1]/"), Some(Loopback));
    assert_eq!(by_name("http://0x7f000001/"), Some(Loopback), "the URL parser reads hex IPv4");
    // Other names: only resolving them tells (Chromium checks the address it connects to).
    assert_eq!(by_name("https://example.com/"), None);
    assert_eq!(by_name("https://local.example.com/"), None);
}
