//! Writes the seed corpora of the fuzz targets into fuzz/seeds/<target>/: the rewriter fixtures, WARC and ZIP files
//! made by the engine's own writers (as the archive tests make them) and by hand in other tools' spellings, and
//! small hand-made robots.txt files, sitemaps and URLs. Each seed starts with the target's flag byte(s).
//!
//!     cargo run --manifest-path fuzz/Cargo.toml --example seeds
//!
//! Files already there (findings kept as regression inputs) are left alone; generated ones are rewritten.

use flate2::write::GzEncoder;
use flate2::Compression;
use sitemirror::archive::{response_head, revisit, warcinfo, ArchiveCapture, Crc32, ZipWriter, RECORD_END};
use std::io::Write;
use std::path::{Path, PathBuf};

fn dir(target: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds").join(target);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn put(target: &str, name: &str, flags: &[u8], body: &[u8]) {
    let mut data = flags.to_vec();
    data.extend_from_slice(body);
    std::fs::write(dir(target).join(name), data).unwrap();
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn rewriter() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/rewrite");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).collect();
    cases.sort();
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let settings: serde_json::Value = std::fs::read(case.join("settings.json"))
            .ok()
            .map_or(serde_json::Value::Null, |s| serde_json::from_slice(&s).unwrap());
        let content_type = settings["contentType"].as_str().unwrap_or("").to_ascii_lowercase();
        if let Ok(html) = std::fs::read(case.join("input.html")) {
            // Flags as in fuzz_targets/html.rs: content type index, banner, capture time.
            let ct = [
                ("windows-1252", 2),
                ("shift_jis", 3),
                ("utf-16", 4),
                ("iso-2022-jp", 5),
                ("gb18030", 6),
                ("text/html", 1),
            ]
            .iter()
            .find(|(k, _)| content_type.contains(k))
            .map_or(0, |&(_, i)| i);
            let banner = if settings["banner"].is_string() { 8 } else { 0 };
            let at = if settings["at"].is_string() { 0x10 } else { 0 };
            put("html", &format!("fixture-{name}"), &[ct | banner | at], &html);
        }
        if let Ok(css) = std::fs::read(case.join("input.css")) {
            put("css", &format!("fixture-{name}"), &[u8::from(content_type.contains("windows-1252")) * 2], &css);
        }
    }
    let html: &[(&str, &str)] = &[
        ("hostile-nesting", "<iframe srcdoc=\"<iframe srcdoc='&lt;script>alert(1)&lt;/script>&lt;a href=//x.test/>'></iframe>\"></iframe><noscript><img src=//n.test/a.png></noscript>"),
        ("svg-and-meta", "<meta http-equiv=refresh content=\"0;url=//evil.test/\"><base href=//b.test/><svg><a xlink:href=javascript:alert(1)><animate attributeName=href to=javascript:x /></a><image href=i.png /></svg>"),
        ("links-and-forms", "<link rel=preconnect href=//p.test><link rel=stylesheet href=s.css><form action=/f><button formaction=javascript:x>b</button></form><a href=\" java\tscript:x\">j</a><a ping=//ping.test href=?q#f>q</a>"),
        ("styles", "<style>@import 'a.css'; p{background:url(b.png)} q{background:image-set('c.png' 1x)}</style><p style=\"background:url(&quot;//d.test/e.png&quot;)\">x</p>"),
        ("lazy-and-srcset", "<img data-src=a.png src=b.png srcset=\"c.png 1x, d.png 2x\"><picture><source srcset=e.webp></picture><video poster=f.png><source src=g.mp4></video>"),
    ];
    for (name, doc) in html {
        put("html", name, &[0], doc.as_bytes());
    }
    let css: &[(&str, &str)] = &[
        ("escapes", "a{b:\\75rl(x.png)} c{d:u\\72l( \"y.png\" )} e{f:url(z\\29.png)} g{content:\"url(no.png)\"}"),
        ("at-rules", "@import url(\"a.css\") screen; @import 'b.css'; @font-face{src:url(f.woff2) format('woff2'), src(\"g.woff\")}"),
        ("image-set", "p{background:-webkit-image-set(\"a.png\" 1x, url(b.png) 2x, 'c.avif' type('image/avif'))}"),
        ("bad-tokens", "p{background:url(a b.png)} q{background:url('unterminated\n} r{background:url(//x.test/\"y)} /* url(c.png)"),
        ("schemes", "p{a:url(javascript:alert(1));b:url(data:image/png,AA);c:url(ftp://f.test/x);d:url(#frag);e:url(  )}"),
    ];
    for (name, sheet) in css {
        put("css", name, &[0], sheet.as_bytes());
    }
    let srcset = [
        "a.jpg 1x, b.jpg 2x",
        "data:image/png;base64,AAA= 1x, //cdn.test/x.png 2x",
        " img.php?w=1,2 100w , c.png",
        "a.jpg (foo, bar) 1x, b.jpg",
        "a.jpg,b.jpg,,, javascript:alert(1) 3x",
        "https://other.test/big.png 1600w,\t/small.png 400w",
    ];
    for (i, s) in srcset.iter().enumerate() {
        put("srcset", &format!("value-{i}"), &[], s.as_bytes());
    }
}

fn urls() {
    let urls = [
        "https://example.com/a/b?c=d#e",
        "http://user:pw@example.com:8080/p%20q/?x=%zz",
        "https://[::1]:443/",
        "http://例え.jp/パス?q=ü",
        "HTTPS://EXAMPLE.COM/../a/./b/%2e%2e/c",
        "//cdn.example/lib.js",
        "../up?x#y",
        "example.org/no-scheme",
        "chrome-extension://abcdefghijklmnopabcdefghijklmnop/m/20240102030405/https/example.com/x?y#z",
        "https/example.com:81/path",
        "12/http/example.com/",
        "javascript:alert(1)",
    ];
    for (i, u) in urls.iter().enumerate() {
        put("url", &format!("url-{i}"), &[(i % 16) as u8], u.as_bytes());
    }
}

fn robots() {
    let files: &[(&str, &str)] = &[
        ("rfc-example", "User-agent: *\nDisallow: *.gif$\nDisallow: /example/\nAllow: /publications/\n\nUser-agent: foobot\nDisallow:/\nAllow:/example/page.html\nAllow:/example/allowed.gif\n\0/example/page.html\0/a.gif\0/publications/x"),
        ("our-group", "User-agent: googlebot\nDisallow: /g\n\nUser-agent: SiteMirror/1.0\nUser-agent: other\nDisallow: /private\nAllow: /private/ok$\nCrawl-delay: 2.5\n\0/private/ok\0/private/ok2"),
        ("encoding", "\u{feff}user-agent: *\r\ndisallow: /%7Efoo\r\nallow: /foo/bar/ツ\r\ndisallow: /a%2fb # comment\r\nSitemap: https://example.com/s.xml\nsitemap: https://example.com/s.xml#x\nSitemap: ftp://x/\n\0/~foo\0/foo/bar/%E3%83%84\0/a%2Fb"),
        ("wildcards", "User-agent: *\nDisallow: /*a*b*$\nAllow: /*.php$\nDisallow: /fish*.php\nDisallow: /$\n\0/aXbY\0/x.php\0/fishheads/catfish.php?p\0/"),
        ("no-group", "Disallow: /\nCrawl-delay: 99999\nUser-agent: *\nCrawl-delay: 0.0001\nDisallow:\n\0/x"),
    ];
    for (name, text) in files {
        put("robots", name, &[0, 0], text.as_bytes());
    }
    put("robots", "status-503", &[0xf7, 0x01], b"User-agent: *\nAllow: /\n");
    put("robots", "status-404", &[0x94, 0x01], b"User-agent: *\nDisallow: /\n");
}

fn sitemaps() {
    let files: &[(&str, &str)] = &[
        ("urlset", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n<url><loc>https://example.com/a?x=1&amp;y=2</loc><lastmod>2024-01-01</lastmod></url>\n<url><loc><![CDATA[https://example.com/b#frag]]></loc></url>\n<!-- <url><loc>https://example.com/commented</loc></url> -->\n<url><loc>\n  https://example.com/&#x63;\n</loc></url><url><loc>ftp://example.com/x</loc></url></urlset>"),
        ("index", "<sitemapindex xmlns:s=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><s:sitemap><s:loc>https://example.com/s1.xml</s:loc></s:sitemap><SITEMAP><LOC>https://example.com/sitemap.xml</LOC></SITEMAP><sitemap><loc/><loc>https://example.com/s2.xml.gz</loc></sitemap></sitemapindex>"),
        ("text", "https://example.com/one\r\nhttps://example.com/two#x\n\nnot a url\n  http://example.com/three  \n"),
        ("broken", "<urlset><url><loc>https://example.com/a<url><loc>https://example.com/b</loc><![CDATA[x</urlset"),
    ];
    for (name, text) in files {
        put("sitemap", name, &[0], text.as_bytes());
    }
    let lists = "\x00https://example.com/a?b=1&c=<2>\n\x02https://example.com/cdata]]>x\n\x04 https://example.com/padded \n\x06https://example.com/split/in/two\n\x09http://EXAMPLE.com:80/upper\n\x00https://example.com/a?b=1&c=<2>\n\x00mailto:x@y\n\x00https://example.com/sitemap.xml\n";
    for flags in [1u8, 3, 5, 9, 11] {
        put("sitemap", &format!("written-{flags}"), &[flags], lists.as_bytes());
    }
}

fn capture(url: &str, at_ms: u64, status: u16, headers: &[(&str, &str)]) -> ArchiveCapture {
    ArchiveCapture {
        url: url.into(),
        at_ms,
        status,
        headers: headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
        digest: "ab".repeat(32),
    }
}

fn raw_record(version: &str, fields: &[(&str, &str)], block: &[u8]) -> Vec<u8> {
    let mut r = format!("{version}\r\n").into_bytes();
    for (n, v) in fields {
        r.extend_from_slice(format!("{n}: {v}\r\n").as_bytes());
    }
    r.extend_from_slice(format!("Content-Length: {}\r\n\r\n", block.len()).as_bytes());
    r.extend_from_slice(block);
    r.extend_from_slice(b"\r\n\r\n");
    r
}

fn warc() {
    const AT: u64 = 1_795_774_800_000;
    let mut ours = vec![warcinfo("sitemirror 0.1.0", "example.com.warc.gz", AT)];
    let page = b"<!doctype html><p>Hello\r\n\r\n</p>".to_vec();
    for (c, body) in [
        (capture("https://example.com/", AT, 200, &[("content-type", "text/html; charset=utf-8")]), page.clone()),
        (capture("https://example.com/missing", AT + 2, 404, &[("content-type", "text/plain")]), b"Not here".to_vec()),
        (capture("https://example.com/old", AT + 3, 301, &[("location", "/new")]), Vec::new()),
        (capture("https://例え.jp/パス?q=ü", 1_000, 200, &[]), b"x".to_vec()),
    ] {
        let mut r = response_head(&c, body.len() as u64);
        r.extend_from_slice(&body);
        r.extend_from_slice(RECORD_END);
        ours.push(r);
    }
    ours.push(revisit(&capture("https://example.com/", AT + 9, 200, &[]), "https://example.com/", AT));

    let plain: Vec<u8> = ours.concat();
    // Flags: bits 0–1 = 0 (as is), bits 2–3 = 2 (64 KiB records).
    put("warc", "ours-plain", &[0x08], &plain);
    put("warc", "ours-gzip-members", &[0x08], &ours.iter().flat_map(|r| gz(r)).collect::<Vec<u8>>());
    put("warc", "ours-small-limit", &[0x00], &plain);

    let zipped = gz(&b"<html><body>Hello from wget</body></html>\n".repeat(4));
    let mut chunked = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\
        Content-Encoding: gzip\r\n\r\n"
        .to_vec();
    for piece in zipped.chunks(40) {
        chunked.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        chunked.extend_from_slice(piece);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let date = ("WARC-Date", "2026-11-27T10:20:00Z");
    let wget = [
        raw_record("WARC/1.0", &[("WARC-Type", "warcinfo"), date], b"software: Wget/1.14\r\n"),
        raw_record(
            "WARC/1.0",
            &[("WARC-Type", "request"), ("WARC-Target-URI", "<http://example.com/>"), date],
            b"GET / HTTP/1.1\r\n\r\n",
        ),
        b"\r\n".to_vec(),
        raw_record(
            "WARC/1.0",
            &[
                ("WARC-Type", "response"),
                ("WARC-Target-URI", "<http://example.com/>"),
                date,
                ("WARC-Payload-Digest", "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ"),
            ],
            &chunked,
        ),
        raw_record(
            "WARC/1.0",
            &[
                ("WARC-Type", "resource"),
                ("WARC-Target-URI", "http://example.com/r.txt"),
                date,
                ("Content-Type", "text/plain"),
            ],
            b"resource body",
        ),
        raw_record(
            "WARC/1.1",
            &[
                ("WARC-Type", "response"),
                ("WARC-Target-URI", "http://example.com/deflate"),
                ("warc-date", "2026-11-27T10:20:00.123456Z"),
                ("WARC-Truncated", "length"),
            ],
            b"HTTP/1.0 200\nContent-Encoding: deflate\n\nxyz",
        ),
        raw_record(
            "WARC/1.1",
            &[
                ("WARC-Type", "revisit"),
                ("WARC-Target-URI", "http://example.com/"),
                date,
                ("WARC-Refers-To-Target-URI", "<http://example.com/>"),
                ("WARC-Refers-To-Date", "2026-11-27T10:19:00Z"),
                ("WARC-Payload-Digest", "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"),
            ],
            b"HTTP/1.1 304 Not Modified\r\n\r\n",
        ),
    ];
    put("warc", "wget-style", &[0x08], &wget.concat());
    put("warc", "wget-style-gzip-by-target", &[0x09], &wget.concat());
    put("warc", "not-a-warc", &[0x00], b"PK\x03\x04 this is a zip");
    put("warc", "cut", &[0x08], &plain[..plain.len() / 2]);
}

fn zip() {
    let entries: [(&str, &[u8]); 4] = [
        ("archive/data.warc.gz", b"\x1f\x8b\x08\x00not really"),
        ("indexes/index.cdxj", b"com,example)/ 20261127102000 {\"url\":\"https://example.com/\"}\n"),
        ("pages/pages.jsonl", b"{\"format\":\"json-pages-1.0\"}\n"),
        ("datapackage.json", b"{\"profile\":\"data-package\"}"),
    ];
    let mut w = ZipWriter::new();
    let mut file = Vec::new();
    for (name, data) in entries {
        let mut crc = Crc32::new();
        crc.update(data);
        file.extend_from_slice(&w.entry(name, data.len() as u64, crc.value(), 1_795_774_800_000).unwrap());
        file.extend_from_slice(data);
    }
    file.extend_from_slice(&w.finish());
    put("zip", "wacz-like", &[0], &file);
    let mut commented = file.clone();
    let n = commented.len();
    commented[n - 2..].copy_from_slice(&7u16.to_le_bytes());
    commented.extend_from_slice(b"comment");
    put("zip", "with-comment", &[0], &commented);
    put("zip", "as-end-of-4gib", &[2], &file);
    put("zip", "empty", &[0], &ZipWriter::new().finish());
    put("zip", "written", &[1], b"a.txt\0hello\0dir/b.bin\0\x01\x02\0../evil\0x\0a.txt\0dup\0\0empty name\0ok\0");
}

fn main() {
    rewriter();
    urls();
    robots();
    sitemaps();
    warc();
    zip();
    for t in ["html", "css", "srcset", "url", "robots", "sitemap", "warc", "zip"] {
        let (n, bytes) = std::fs::read_dir(dir(t))
            .unwrap()
            .map(|e| e.unwrap().metadata().unwrap().len())
            .fold((0, 0), |(n, b), l| (n + 1, b + l));
        println!("{t}: {n} seeds, {bytes} bytes");
    }
}
