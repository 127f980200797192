package change

// Rate is the success rate of a service's changes: how many of those
// reviewed succeeded.
type Rate struct {
	ServiceID int64   `json:"service_id"`
	Service   string  `json:"service"`
	Reviewed  int     `json:"reviewed"` // changes with an outcome
	Succeeded int     `json:"succeeded"`
	Failed    int     `json:"failed"`
	BackedOut int     `json:"backed_out"`
	Rate      float64 `json:"rate"` // succeeded / reviewed, 0 when none reviewed
}

// Count adds one reviewed change's outcome.
func (r *Rate) Count(o Outcome) {
	switch o {
	case OutcomeSuccess:
		r.Succeeded++
	case OutcomeFailed:
		r.Failed++
	case OutcomeBackedOut:
		r.BackedOut++
	default:
		return
	}
	r.Reviewed++
	r.Rate = float64(r.Succeeded) / float64(r.Reviewed)
}
