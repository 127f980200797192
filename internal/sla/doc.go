// Package sla measures tickets against service level agreements: working
// calendars, the clocks of metrics such as time to first response, and the
// goals they are held to. It is pure domain: no SQL, no HTTP.
//
// # Calendars
//
// A Calendar gives working windows per weekday in local wall-clock time of
// an IANA time zone (several windows a day, such as 09:00-12:00 and
// 13:00-17:30), less holidays that fall once (2025-12-25) or every year
// (12-25). Its Schedule answers how much working time lies between two
// instants and when a working duration runs out, exactly, across weekends,
// holidays and daylight-saving changes: 09:00-17:00 is eight hours on the
// day the clocks change, and a window that spans the change is an hour
// shorter or longer.
//
// # Clocks
//
// A Metric's Conditions say when its clock starts, pauses and stops, in
// terms of ticket events: the ticket raised, a status category or status
// entered or left, the first public reply of an agent, the resolution. Fold
// runs a ticket's events through the conditions and gives a Clock: the
// intervals in which it ran and was paused, with no calendar or goal in it.
// Clock.Measure then measures those intervals on a calendar against a
// target. A clock is paused while the ticket is in a pause state; outside
// working hours it simply does not count.
//
// # Goals
//
// A metric has goals in order, each a query of Cairn's query language, a
// target in working time, a calendar and a warning share. The first goal
// whose query matches the ticket applies. A clock that runs past its
// deadline is breached; a clock that stopped within its target met it.
//
// # Recalculation
//
// The rule when a ticket, a goal, a calendar or a metric changes is:
//
//   - A clock that has not stopped (not started, running or paused) is
//     always the fold of all the ticket's events under the current
//     definitions: the goal is the first that matches the ticket as it is
//     now, and the whole cycle is measured on that goal's calendar as it is
//     now. Changing a goal, a calendar or a metric's conditions recomputes
//     every such clock from its events.
//   - A clock that stopped keeps the result it stopped with: the goal,
//     target and calendar that applied when it stopped, and so whether it
//     met its goal. Later changes to goals and calendars do not rewrite
//     history, and reports of past periods stay as they were.
//   - A stopped clock changes only through its own events: when it reopens
//     (a start condition after the stop), it resumes or restarts as the
//     metric's Reopen rule says, and from then on it is a clock that has not
//     stopped.
//
// A breach or a warning is recorded once per deadline. When a change moves
// a running clock's deadline into the future, the breach or warning
// recorded for the old deadline is withdrawn, and recorded again if the
// clock later runs past the new one.
package sla
