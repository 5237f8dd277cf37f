namespace Hermes.CallBooker;

/// <summary>
/// The slots an admin can be booked for (behaviour.md §4.2). For every weekday in the admin's time zone from the day
/// before <c>start</c> to the day after <c>end</c>, the working window <c>meeting_min_start</c>–<c>meeting_max_end</c>
/// (local time, so DST moves it in UTC) is cut into slots of the meeting length, each the buffer after the previous
/// one ends. Slots that touch a busy period (boundaries count), fall outside <c>[start, end]</c> or start before
/// <paramref name="earliest"/> (the minimum notice) are dropped.
/// </summary>
public static class Availability
{
    public static List<(DateTime Start, DateTime End)> Slots(
        TimeZoneInfo zone, MeetingSettings meeting, DateTime start, DateTime end, DateTime earliest, IReadOnlyList<BusyPeriod> busy)
    {
        var slots = new List<(DateTime, DateTime)>();
        var duration = meeting.Duration;
        var step = duration + TimeSpan.FromMinutes(meeting.BufferMins);
        var firstDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(start.AddDays(-1), zone));
        var lastDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(end.AddDays(1), zone));
        var merged = Merge(busy);
        var next = 0; // slots only move forward, so busy periods that ended before one can't touch any later slot
        for (var day = firstDay; day <= lastDay; day = day.AddDays(1))
        {
            if (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) continue;
            var windowStart = ToUtc(day, meeting.MinStart, zone);
            var windowEnd = ToUtc(day, meeting.MaxEnd, zone);
            for (var slotStart = windowStart; slotStart + duration <= windowEnd; slotStart += step)
            {
                var slotEnd = slotStart + duration;
                if (slotStart < start || slotEnd > end || slotStart < earliest) continue;
                while (next < merged.Count && merged[next].End < slotStart) next++;
                if (next < merged.Count && BookingService.Overlaps(merged[next].Start, merged[next].End, slotStart, slotEnd)) continue;
                slots.Add((slotStart, slotEnd));
            }
        }
        return slots;
    }

    /// <summary>Busy periods in order, overlapping or touching ones joined, so their ends increase too.</summary>
    static List<BusyPeriod> Merge(IReadOnlyList<BusyPeriod> busy)
    {
        var merged = new List<BusyPeriod>(busy.Count);
        foreach (var b in busy.OrderBy(b => b.Start))
            if (merged.Count > 0 && b.Start <= merged[^1].End)
                merged[^1] = merged[^1] with { End = b.End > merged[^1].End ? b.End : merged[^1].End };
            else merged.Add(b);
        return merged;
    }

    /// <summary>
    /// A wall-clock time on a date in <paramref name="zone"/> as UTC. A time that occurs twice (clocks going back)
    /// is the first of the two; one that doesn't occur (clocks going forward) is read with the offset before the
    /// change, so it lands just after it, as Python's zoneinfo does.
    /// </summary>
    public static DateTime ToUtc(DateOnly date, TimeOnly time, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(time, DateTimeKind.Unspecified);
        TimeSpan offset;
        if (zone.IsInvalidTime(local)) offset = zone.GetUtcOffset(local.AddHours(-6));
        else if (zone.IsAmbiguousTime(local)) offset = zone.GetAmbiguousTimeOffsets(local).Max();
        else offset = zone.GetUtcOffset(local);
        return DateTime.SpecifyKind(local - offset, DateTimeKind.Utc);
    }
}
