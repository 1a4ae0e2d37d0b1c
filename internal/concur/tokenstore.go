package concur

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// TokenStore persists the refresh token and geolocation between runs. Concur may rotate the
// refresh token on every refresh; losing the new one locks the integration out until an
// administrator issues a new company request token.
type TokenStore interface {
	Load() (StoredToken, bool, error)
	Save(StoredToken) error
}

type StoredToken struct {
	RefreshToken, Geolocation string
	RefreshExpiresAt          time.Time
}

type fileTokenStore struct {
	path string
	mu   sync.Mutex
}

// NewFileTokenStore keeps the token in a JSON file readable only by its owner.
func NewFileTokenStore(path string) TokenStore { return &fileTokenStore{path: path} }

type storedTokenFile struct {
	RefreshToken     string    `json:"refresh_token"`
	Geolocation      string    `json:"geolocation,omitempty"`
	RefreshExpiresAt time.Time `json:"refresh_expires_at,omitzero"`
}

func (s *fileTokenStore) Load() (StoredToken, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	data, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return StoredToken{}, false, nil
	}
	if err != nil {
		return StoredToken{}, false, fmt.Errorf("concur: reading token store: %w", err)
	}
	var f storedTokenFile
	if err := json.Unmarshal(data, &f); err != nil {
		return StoredToken{}, false, fmt.Errorf("concur: token store %s is not valid JSON: %w", s.path, err)
	}
	if f.RefreshToken == "" {
		return StoredToken{}, false, nil
	}
	return StoredToken(f), true, nil
}

func (s *fileTokenStore) Save(t StoredToken) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	data, err := json.MarshalIndent(storedTokenFile(t), "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomically(s.path, append(data, '\n')); err != nil {
		return fmt.Errorf("concur: saving token to %s: %w", s.path, err)
	}
	return nil
}

// writeFileAtomically writes a temporary file next to path and renames it over path, so a
// crash leaves either the old or the new token, never a truncated file. The temporary file
// is created 0600, so the token is never readable by others, not even briefly.
func writeFileAtomically(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
