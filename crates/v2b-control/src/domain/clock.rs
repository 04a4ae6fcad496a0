//! The site's clock: how local calendar days are laid into slots.
//!
//! A slot is a stretch of real (elapsed) time: slot `k` of a date starts `k` slot lengths after
//! that date's local midnight. On most days that gives `1440 / slot_minutes` slots (96 of 15
//! minutes); on the day the clocks spring forward there are 92, and on the day they fall back
//! there are 100 (the repeated hour is simulated, billed and metered twice, as it happens).
//! Tariff periods, demand windows and demand-response events are written in local wall-clock
//! time, so a slot is priced by the wall-clock minute it starts at ([`Clock::wall_minutes`]):
//! on a 100-slot day the second 01:00-02:00 has the same price as the first.
//!
//! Without a time zone every day is 24 wall-clock hours (the simulator's behaviour before
//! time zones, right for a site that ignores daylight saving or data already in one fixed
//! offset).

use crate::domain::time::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use std::cell::RefCell;

/// The site's calendar of slots (a time zone, or none, and the slot length).
#[derive(Debug, Clone, PartialEq)]
pub struct Clock {
    zone: Option<TimeZone>,
    slot_minutes: u32,
}

thread_local! {
    /// Zones already looked up by name (a tariff names its zone; the tz database lookup takes
    /// a lock and a search, too slow to repeat for every slot's price).
    static ZONES: RefCell<Vec<(String, TimeZone)>> = const { RefCell::new(Vec::new()) };
}

/// The IANA zone `name`, looked up once per thread (`None` if the database does not know it;
/// [`Tariff::validate`](crate::Tariff::validate) refuses such a name).
pub(crate) fn zone_named(name: &str) -> Option<TimeZone> {
    ZONES.with(|zones| {
        if let Some((_, tz)) = zones.borrow().iter().find(|(n, _)| n == name) {
            return Some(tz.clone());
        }
        let tz = TimeZone::get(name).ok()?;
        zones.borrow_mut().push((name.to_string(), tz.clone()));
        Some(tz)
    })
}

impl Clock {
    /// A clock in `zone` (`None`: 24 wall-clock hours every day) with slots of `slot_minutes`
    /// (which must divide the hour; 0 is read as 15).
    pub fn new(zone: Option<TimeZone>, slot_minutes: u32) -> Clock {
        Clock {
            zone,
            slot_minutes: if slot_minutes == 0 { 15 } else { slot_minutes },
        }
    }

    /// The time zone, if any.
    pub fn zone(&self) -> Option<&TimeZone> {
        self.zone.as_ref()
    }

    /// Slot length, minutes.
    pub fn slot_minutes(&self) -> u32 {
        self.slot_minutes
    }

    /// Slots of a 24-hour day (96 of 15 minutes): every day without a zone, and every day
    /// but the two daylight-saving days with one.
    pub fn nominal_slots(&self) -> usize {
        (1440 / self.slot_minutes) as usize
    }

    /// The instant `date` starts (its local midnight; where midnight itself is skipped, the
    /// first instant of the day). `None` without a zone or outside the representable years.
    pub fn midnight(&self, date: Date) -> Option<Timestamp> {
        let zone = self.zone.clone()?;
        let civil = date.to_civil()?;
        civil.to_zoned_datetime(zone).ok().map(|z| z.timestamp())
    }

    /// Minutes of real time in `date` (1440, or 1380 / 1500 on daylight-saving days).
    pub fn minutes_on(&self, date: Date) -> i64 {
        match (self.midnight(date), self.midnight(date.plus_days(1))) {
            (Some(a), Some(b)) => (b.as_second() - a.as_second()) / 60,
            _ => 1440,
        }
    }

    /// Slots in `date`: 96 of 15 minutes on most days, 92 or 100 on daylight-saving days. A
    /// zone whose clock jumps by less than a slot rounds the day down to whole slots.
    pub fn slots_on(&self, date: Date) -> usize {
        (self.minutes_on(date).max(0) / i64::from(self.slot_minutes)) as usize
    }

    /// The local wall-clock minute (after midnight, 0-1439) at which slot `slot` of `date`
    /// starts; a slot past the day's end is read on the following days ([`Clock::locate`]).
    pub fn wall_minutes(&self, date: Date, slot: usize) -> u32 {
        let elapsed = slot as i64 * i64::from(self.slot_minutes);
        let (Some(zone), Some(start)) = (self.zone.as_ref(), self.midnight(date)) else {
            return (elapsed % 1440) as u32;
        };
        let Ok(instant) = Timestamp::from_second(start.as_second() + elapsed * 60) else {
            return (elapsed % 1440) as u32;
        };
        let local = instant.to_zoned_datetime(zone.clone()).datetime();
        if Date::from(local.date()) != date {
            // Past the day's end: read it on the day it falls on.
            let (next, slot) = self.locate(date, slot);
            if next != date {
                return self.wall_minutes(next, slot);
            }
        }
        (i32::from(local.hour()) * 60 + i32::from(local.minute())) as u32
    }

    /// The wall-clock minute each slot of `date` starts at ([`Clock::wall_minutes`] of every
    /// slot, computed at once: a day without a clock change is `k * slot_minutes`).
    pub fn day_wall_minutes(&self, date: Date) -> Vec<u32> {
        let (Some(zone), Some(start), Some(end)) = (
            self.zone.as_ref(),
            self.midnight(date),
            self.midnight(date.plus_days(1)),
        ) else {
            return (0..self.slots_on(date))
                .map(|k| (k as u32 * self.slot_minutes) % 1440)
                .collect();
        };
        // slots_on(date), from the two midnights already at hand.
        let minutes = ((end.as_second() - start.as_second()) / 60).max(0);
        let n = (minutes / i64::from(self.slot_minutes)) as usize;
        let changes_today = zone
            .following(start)
            .next()
            .is_some_and(|t| t.timestamp() < end);
        if changes_today || self.wall_minutes(date, 0) != 0 {
            (0..n).map(|k| self.wall_minutes(date, k)).collect()
        } else {
            (0..n).map(|k| k as u32 * self.slot_minutes).collect()
        }
    }

    /// The slot of `date` that starts at the local wall-clock minute `minute` (rounded down to
    /// a slot): a minute the clock skips is read one jump later (02:30 on the day clocks spring
    /// forward is 03:30), a repeated one at its first occurrence. Without a zone, `minute / slot_minutes`.
    pub fn slot_of_wall(&self, date: Date, minute: u32) -> usize {
        let plain = (minute.min(1439) / self.slot_minutes) as usize;
        let (Some(zone), Some(start), Some(civil)) =
            (self.zone.as_ref(), self.midnight(date), date.to_civil())
        else {
            return plain;
        };
        let m = minute.min(1439);
        let Ok(time) = jiff::civil::Time::new((m / 60) as i8, (m % 60) as i8, 0, 0) else {
            return plain;
        };
        let Ok(at) = civil.to_datetime(time).to_zoned_datetime(zone.clone()) else {
            return plain;
        };
        let minutes = (at.timestamp().as_second() - start.as_second()).div_euclid(60);
        let slot = minutes.div_euclid(i64::from(self.slot_minutes)).max(0) as usize;
        slot.min(self.slots_on(date).saturating_sub(1))
    }

    /// Slot `offset` counted from `date`'s midnight, as (the date it falls on, its slot in
    /// that date): offsets past the day's end walk into the following days, each with its own
    /// number of slots.
    pub fn locate(&self, date: Date, offset: usize) -> (Date, usize) {
        let (mut date, mut offset) = (date, offset);
        loop {
            let n = self.slots_on(date).max(1);
            if offset < n {
                return (date, offset);
            }
            offset -= n;
            date = date.plus_days(1);
        }
    }

    /// Slots from `from`'s midnight to `to`'s midnight (0 when `to` is not after `from`).
    pub fn slots_between(&self, from: Date, to: Date) -> usize {
        let days = (to.days_since_epoch() - from.days_since_epoch()).max(0);
        (0..days).map(|i| self.slots_on(from.plus_days(i))).sum()
    }

    /// The slot of `date`'s first instant on one line for all dates (slots since 1970-01-01's
    /// midnight of a 24-hour clock, shifted by the zone's offset): differences between two
    /// dates are [`Clock::slots_between`].
    pub fn epoch_slot(&self, date: Date) -> i64 {
        let s = i64::from(self.slot_minutes);
        match self.midnight(date) {
            Some(t) => {
                let reference = self.midnight(Date::from_days_since_epoch(0));
                let base = reference.map_or(0, |r| r.as_second() / 60);
                (t.as_second() / 60 - base).div_euclid(s)
            }
            None => date.days_since_epoch() * (1440 / s),
        }
    }

    /// Slots (rounded down) from `day`'s midnight to the instant `at`, negative before it;
    /// `None` without a zone (a wall-clock clock counts wall-clock minutes instead).
    pub fn slots_since_midnight(&self, day: Date, at: Timestamp) -> Option<i64> {
        let start = self.midnight(day)?;
        let minutes = (at.as_second() - start.as_second()).div_euclid(60);
        Some(minutes.div_euclid(i64::from(self.slot_minutes)))
    }

    /// The start of slot `slot` of `date` as local ISO 8601 with its offset
    /// (`2019-11-03T01:00:00-08:00`); without a zone, the wall-clock time with no offset.
    pub fn slot_start_text(&self, date: Date, slot: usize) -> String {
        let (date, slot) = self.locate(date, slot);
        let elapsed = slot as i64 * i64::from(self.slot_minutes) * 60;
        if let (Some(zone), Some(start)) = (self.zone.as_ref(), self.midnight(date)) {
            if let Ok(t) = Timestamp::from_second(start.as_second() + elapsed) {
                let z = t.to_zoned_datetime(zone.clone());
                return z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
            }
        }
        let m = elapsed / 60;
        format!("{date}T{:02}:{:02}:00", m / 60, m % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn la() -> Clock {
        Clock::new(zone_named("America/Los_Angeles"), 15)
    }

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::new(y, m, day).unwrap()
    }

    #[test]
    fn daylight_saving_days_have_92_and_100_slots() {
        let c = la();
        assert_eq!(c.slots_on(d(2019, 3, 10)), 92);
        assert_eq!(c.slots_on(d(2019, 11, 3)), 100);
        assert_eq!(c.slots_on(d(2019, 11, 4)), 96);
        assert_eq!(Clock::new(None, 15).slots_on(d(2019, 3, 10)), 96);
        assert_eq!(Clock::new(None, 60).slots_on(d(2019, 3, 10)), 24);
    }

    #[test]
    fn slots_are_priced_by_the_wall_clock_they_start_at() {
        let c = la();
        let spring = d(2019, 3, 10);
        // 02:00 does not exist: slot 8 (two hours after midnight) starts at 03:00.
        assert_eq!(c.wall_minutes(spring, 7), 105);
        assert_eq!(c.wall_minutes(spring, 8), 180);
        assert_eq!(c.wall_minutes(spring, 91), 23 * 60 + 45);
        let fall = d(2019, 11, 3);
        // 01:00-02:00 happens twice: slots 4-7 and 8-11.
        assert_eq!(c.wall_minutes(fall, 4), 60);
        assert_eq!(c.wall_minutes(fall, 8), 60);
        assert_eq!(c.wall_minutes(fall, 12), 120);
        assert_eq!(c.wall_minutes(fall, 99), 23 * 60 + 45);
        // Slot 100 of the fall-back day is the next day's midnight.
        assert_eq!(c.locate(fall, 100), (d(2019, 11, 4), 0));
        assert_eq!(c.slot_start_text(fall, 4), "2019-11-03T01:00:00-07:00");
        assert_eq!(c.slot_start_text(fall, 8), "2019-11-03T01:00:00-08:00");
        // All of a day's at once, the same.
        for date in [spring, fall, d(2019, 11, 4)] {
            let walls = c.day_wall_minutes(date);
            assert_eq!(walls.len(), c.slots_on(date));
            assert!(walls
                .iter()
                .enumerate()
                .all(|(k, &w)| w == c.wall_minutes(date, k)));
        }
        // And back: a wall-clock minute to the slot that starts at it.
        assert_eq!(c.slot_of_wall(spring, 150), 10);
        assert_eq!(c.slot_of_wall(spring, 180), 8);
        assert_eq!(c.slot_of_wall(fall, 60), 4);
        assert_eq!(c.slot_of_wall(fall, 120), 12);
        assert_eq!(c.slot_of_wall(d(2019, 11, 4), 120), 8);
    }

    #[test]
    fn offsets_walk_days_of_their_own_length() {
        let c = la();
        let sat = d(2019, 3, 9);
        assert_eq!(c.slots_between(sat, d(2019, 3, 11)), 96 + 92);
        assert_eq!(c.locate(sat, 96 + 92 + 5), (d(2019, 3, 11), 5));
        assert_eq!(
            c.epoch_slot(d(2019, 3, 11)) - c.epoch_slot(sat),
            (96 + 92) as i64
        );
        assert_eq!(
            c.epoch_slot(d(2019, 11, 4)) - c.epoch_slot(d(2019, 11, 3)),
            100
        );
        let wall = Clock::new(None, 15);
        assert_eq!(wall.epoch_slot(d(1970, 1, 2)), 96);
        let noon: Timestamp = "2019-11-03T12:00:00-08:00".parse().unwrap();
        assert_eq!(c.slots_since_midnight(d(2019, 11, 3), noon), Some(52));
        assert_eq!(wall.slots_since_midnight(d(2019, 11, 3), noon), None);
    }
}
