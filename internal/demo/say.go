package demo

// commonSay is what people comment at each moment of a ticket when its
// request type has nothing more specific:
//
//	start     an agent picks the ticket up (public)
//	ask       an agent asks the customer something (public)
//	reply     the customer answers
//	resolve   an agent says what fixed it (public)
//	noreproduce  an agent resolves what they could not reproduce (public)
//	note      an agent's internal note
//	pending   an internal note on why the ticket waits
//	raised    an internal note on a priority raised
//	lowered   an internal note on a priority lowered
//	approval  an agent sends a request for approval (public)
//	approved  the approval came (public)
//	declined  the approver said no (public)
//	cancel    the customer withdraws the request, or an agent cancels a change
//	extra     the customer adds something after raising the ticket
//	followup  the customer asks for news
//	thanks    the customer closes a resolved incident
//	reopen    the customer says it is not fixed
var commonSay = map[string][]string{
	"start": {
		"Thanks for reaching out, I'm looking into it now.",
		"I've picked this up and will get back to you shortly.",
		"Thanks, I'm on it.",
		"Looking at this now; I'll update you within the hour.",
	},
	"ask": {
		"Could you send a screenshot of what you see?",
		"When would be a good time to have a look together? I can connect remotely.",
		"Does this happen every time, or only now and then?",
	},
	"reply": {
		"Sure, screenshot attached.",
		"Any time after 2pm works for me.",
		"Every time, since yesterday.",
	},
	"resolve": {
		"This is fixed now. Let us know if anything still doesn't work.",
		"All done, thanks for your patience!",
		"Sorted. I'll close this in a few days unless you tell me otherwise.",
	},
	"note": {
		"Checked the logs, nothing unusual on the server side.",
		"Customer is a VIP for the board meeting next week; keep them posted.",
		"Similar ticket last month; same fix should work.",
		"Remote session done, see the notes in the knowledge base.",
	},
	"pending": {
		"Waiting for the vendor to answer.",
		"Waiting for a part to arrive.",
	},
	"raised": {
		"Raised the priority: more people are affected than the ticket says.",
		"Raised the priority: the customer can't work at all.",
		"Raised the priority after talking to the customer.",
	},
	"lowered": {
		"Lowered the priority: there is a workaround and only one person is affected.",
		"Lowered the priority: the customer can work on another device meanwhile.",
		"Lowered the priority after talking to the customer.",
	},
	"approval": {
		"Sent to your manager for approval; we start as soon as they agree.",
		"This needs your manager's approval; they've got an email from us.",
	},
	"approved": {
		"Approved by your manager, getting started.",
		"Approval received, working on it now.",
	},
	"declined": {
		"Your manager declined the request, so I'm canceling it. Please talk to them if you think it's still needed.",
		"Declined by the budget holder this quarter; canceling. Feel free to ask again next quarter.",
	},
	"cancel": {
		"No longer needed, sorted it out myself. Thanks!",
		"Please cancel, I found a workaround.",
		"Canceling, my manager will raise a new request for the whole team.",
	},
	"extra": {
		"I'm in the office all day today if you want to come by.",
		"I'll be in meetings until 2pm, reachable on Teams.",
		"In case it helps, I'm on the 3rd floor, desk 3.14.",
	},
	"followup": {
		"Any news on this?",
		"Hi, is there an update?",
		"Just checking in on this one.",
		"Could someone have a look please?",
	},
	"thanks": {
		"Works now, thank you!",
		"Confirmed fixed, thanks for the quick help.",
		"All good on my side, you can close it.",
		"Perfect, thanks a lot!",
	},
	"noreproduce": {
		"I couldn't reproduce this any more and the logs look clean. Resolving for now; reply here if it comes back.",
		"Tested it together with you remotely and everything worked. Resolving; just reply if it happens again.",
	},
	"reopen": {
		"Sorry, it's happening again this morning.",
		"Still not working for me, same error as before.",
	},
	// Problems and changes, for request types that say nothing of their own.
	"investigate": {"Started the investigation; collecting logs from the affected machines."},
	"known_error": {"Known error recorded with a workaround."},
	"close":       {"Closing; no recurrence."},
	"duplicate":   {"Duplicate of an existing problem; closing."},
	"submit":      {"Plan and rollback reviewed; submitting for approval."},
	"approve":     {"Approved."},
	"decline":     {"Declined: please rework the plan."},
	"implement":   {"Starting the implementation."},
	"review":      {"Implemented; checking the results."},
	"complete":    {"Completed successfully."},
	"fail":        {"Failed and rolled back; see the notes."},
}
