//! FNV-1a, the one hash of names and texts: it keys a random stream by a segment, role
//! or key path ([`name_key`]) and fingerprints a scenario for shards ([`Fnv`]). It sits
//! below `scenario` and `engine`, which both key by name.

/// The 64-bit FNV-1a offset basis.
const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// The 64-bit FNV-1a prime.
const PRIME: u64 = 0x0100_0000_01b3;

/// FNV-1a hash of a name, to key a stream by a segment, role or key path.
pub fn name_key(name: &str) -> u64 {
    let mut h = Fnv::new();
    h.write(name.as_bytes());
    h.finish()
}

/// A 64-bit FNV-1a hash fed in pieces.
#[derive(Debug, Clone, Copy)]
pub struct Fnv(u64);

impl Fnv {
    /// An empty hash.
    pub fn new() -> Fnv {
        Fnv(OFFSET)
    }

    /// Feeds `bytes`.
    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(PRIME);
        }
    }

    /// The hash of what was fed.
    pub fn finish(self) -> u64 {
        self.0
    }
}

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published FNV-1a 64 test vectors: "" and "a", "foobar".
    #[test]
    fn fnv1a_matches_its_published_vectors() {
        assert_eq!(name_key(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(name_key("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(name_key("foobar"), 0x8594_4171_f739_67e8);
        let mut pieces = Fnv::new();
        pieces.write(b"foo");
        pieces.write(b"bar");
        assert_eq!(pieces.finish(), name_key("foobar"));
    }
}
