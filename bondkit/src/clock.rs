//! One clock for probes and kernel events: `CLOCK_MONOTONIC`, in nanoseconds. Probe send
//! and receive times and netlink event times are all read from it, so a failover timeline
//! needs no conversion between clocks.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// A moment on `CLOCK_MONOTONIC` (nanoseconds since boot, not counting suspend).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Mono(pub u64);

fn read(clock: libc::clockid_t) -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec into the valid, owned `ts`.
    unsafe { libc::clock_gettime(clock, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

impl Mono {
    pub fn now() -> Mono {
        Mono(read(libc::CLOCK_MONOTONIC))
    }

    /// `self - earlier`, or zero when `earlier` is later.
    pub fn since(self, earlier: Mono) -> Duration {
        Duration::from_nanos(self.0.saturating_sub(earlier.0))
    }

    /// Milliseconds from `earlier` to `self` (negative when `self` is earlier).
    pub fn ms_after(self, earlier: Mono) -> f64 {
        (self.0 as f64 - earlier.0 as f64) / 1e6
    }

    pub fn plus(self, d: Duration) -> Mono {
        Mono(self.0 + d.as_nanos() as u64)
    }

    /// A `CLOCK_REALTIME` stamp (such as a kernel receive timestamp) on this clock, given
    /// `now` read on this clock right after it. A stamp that lands in the future or more
    /// than a second back (the wall clock was stepped) is not trusted: `now` is used.
    pub fn from_realtime(sec: i64, nsec: i64, now: Mono) -> Mono {
        let stamp = sec as i128 * 1_000_000_000 + nsec as i128;
        let real_now = read(libc::CLOCK_REALTIME) as i128;
        let age = real_now - stamp;
        if !(0..1_000_000_000).contains(&age) {
            return now;
        }
        Mono((now.0 as i128 - age).max(0) as u64)
    }
}

/// The UTC calendar date (year, month, day) of `secs` since the Unix epoch (Howard
/// Hinnant's days-to-civil algorithm), for the timestamps bondkit prints.
pub fn civil_date(secs: u64) -> (i64, u32, u32) {
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m as u32, d as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn realtime_stamps_convert_and_bad_ones_fall_back() {
        let now = Mono::now();
        let real = read(libc::CLOCK_REALTIME) as i64;
        let five_ms_ago = real - 5_000_000;
        let m = Mono::from_realtime(
            five_ms_ago / 1_000_000_000,
            five_ms_ago % 1_000_000_000,
            now,
        );
        let age = now.ms_after(m);
        assert!((4.0..50.0).contains(&age), "{age} ms");
        // A stamp from the future (the wall clock was stepped back) is not believed.
        let future = real + 10_000_000_000;
        let m = Mono::from_realtime(future / 1_000_000_000, 0, now);
        assert_eq!(m, now);
    }
}
