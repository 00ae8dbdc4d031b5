//! Size probe: each feature links one candidate library through a minimal exported use, so the wasm size with the
//! feature minus the size without it is what the library would add to the engine (an upper bound: std parts the
//! engine already has are counted too).
#[no_mangle]
pub extern "C" fn probe(ptr: *const u8, len: usize) -> usize {
    let input = unsafe { std::slice::from_raw_parts(ptr, len) };
    #[allow(unused_mut)]
    let mut n = input.len();
    #[cfg(feature = "robots")]
    {
        if let Ok(r) = texting_robots::Robot::new("sitemirror", input) {
            n += r.allowed("https://example.com/a/b") as usize;
        }
    }
    #[cfg(feature = "google")]
    {
        if let Ok(s) = std::str::from_utf8(input) {
            let mut m = robotstxt::DefaultMatcher::default();
            n += m.one_agent_allowed_by_robots(s, "sitemirror", "https://example.com/a/b") as usize;
        }
    }
    #[cfg(feature = "xml")]
    {
        let mut reader = quick_xml::Reader::from_reader(input);
        let mut buf = Vec::new();
        while let Ok(ev) = reader.read_event_into(&mut buf) {
            match ev {
                quick_xml::events::Event::Eof => break,
                quick_xml::events::Event::Text(t) => n += t.len(),
                _ => n += 1,
            }
            buf.clear();
        }
    }
    #[cfg(feature = "date")]
    {
        if let Ok(s) = std::str::from_utf8(input) {
            if let Ok(t) = httpdate::parse_http_date(s) {
                n += t.duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as usize).unwrap_or(0);
            }
        }
    }
    #[cfg(feature = "hexc")]
    {
        n += hex::encode(input).len();
    }
    #[cfg(feature = "zipc")]
    {
        if let Ok(mut z) = zip::ZipArchive::new(std::io::Cursor::new(input)) {
            for i in 0..z.len() {
                if let Ok(mut f) = z.by_index(i) {
                    let mut v = Vec::new();
                    let _ = std::io::Read::read_to_end(&mut f, &mut v);
                    n += v.len();
                }
            }
        }
    }
    n
}
