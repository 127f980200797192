package change

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/errs"
)

// LinkLifetime is how long a one-click approval link works.
const LinkLifetime = 7 * 24 * time.Hour

// SignLink makes the token of a one-click approval link: the approval's
// id and an expiry, signed with HMAC-SHA256 under the server's secret.
// The link is a credential for that one approval of that one approver; it
// stops working once the approval is decided, since it decides nothing
// more.
func SignLink(secret []byte, approvalID int64, expires time.Time) string {
	payload := strconv.FormatInt(approvalID, 10) + "." + strconv.FormatInt(expires.Unix(), 10)
	return payload + "." + linkMAC(secret, payload)
}

// VerifyLink checks a token and gives the approval it is for. A forged,
// damaged or expired token answers not found, so that a guess learns
// nothing.
func VerifyLink(secret []byte, token string, now time.Time) (int64, error) {
	bad := errs.NotFound("this approval link is not valid; it may have expired")
	parts := strings.Split(token, ".")
	if len(parts) != 3 || len(token) > 200 {
		return 0, bad
	}
	payload := parts[0] + "." + parts[1]
	if !hmac.Equal([]byte(parts[2]), []byte(linkMAC(secret, payload))) {
		return 0, bad
	}
	id, err1 := strconv.ParseInt(parts[0], 10, 64)
	exp, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || id <= 0 {
		return 0, bad
	}
	if !now.Before(time.Unix(exp, 0)) {
		return 0, &errs.Error{Kind: errs.KindNotFound, Code: "link_expired", Message: fmt.Sprintf("this approval link expired on %s", time.Unix(exp, 0).UTC().Format("2 Jan 2006 15:04 MST"))}
	}
	return id, nil
}

func linkMAC(secret []byte, payload string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("cairn approval link v1\x00" + payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
