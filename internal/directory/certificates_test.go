package directory_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
	"github.com/terraform-concur/terraform-provider-concur/internal/directory/adtest"
)

// A CA PEM that holds a certificate Go refuses to parse is not called empty: the error says it
// holds one, why Go refuses it, and what to do.
func TestCACertificateWithNegativeSerial(t *testing.T) {
	t.Parallel()
	der, _ := adtest.NegativeSerialCertificate(t)
	cfg := directory.Config{URL: "ldaps://dc1.test.lan", CACertPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))}
	if _, err := x509.ParseCertificate(der); err == nil || !strings.Contains(err.Error(), "negative serial number") {
		t.Fatalf("Go parses the certificate: %v", err)
	}
	err := cfg.Validate()
	t.Logf("%v", err)
	for _, want := range []string{"holds a certificate Go refuses to parse", "negative serial number", "Samba", "GODEBUG=x509negativeserial=1"} {
		if !errors.Is(err, directory.ErrInvalidConfig) || !strings.Contains(err.Error(), want) {
			t.Errorf("want ErrInvalidConfig saying %q, got %v", want, err)
		}
	}
	cfg.CACertPEM = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "holds no certificate") {
		t.Errorf("a PEM without a certificate: %v", err)
	}
}

// A server whose certificate has a negative serial fails the handshake even when the
// certificate is not verified, with ErrCertificate and the reason.
func TestServerCertificateWithNegativeSerial(t *testing.T) {
	t.Parallel()
	der, key := adtest.NegativeSerialCertificate(t)
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			_ = conn.(*tls.Conn).Handshake()
			_ = conn.Close()
		}
	}()
	cfg := directory.Config{URL: "ldaps://" + l.Addr().(*net.TCPAddr).String(), InsecureSkipVerify: true, Timeout: testTimeout}
	err = newClient(t, cfg).Ping(testContext(t))
	t.Logf("%v", err)
	if !errors.Is(err, directory.ErrCertificate) || !strings.Contains(err.Error(), "negative serial number") || !strings.Contains(err.Error(), "GODEBUG") {
		t.Errorf("want ErrCertificate explaining the negative serial, got %v", err)
	}
}
