package provisioning

import (
	"errors"
	"strings"
)

// RenderTemplate renders one attribute_mapping template against an entry's values exactly as a
// channel renders it, so a template can be tried without a directory (the provider's
// render_template function). values is asked for attributes by the template's spelling and
// should match them case-insensitively, as directory entries do. With no directory to follow,
// a ref filter renders as "".
func RenderTemplate(template string, values func(attribute string) []string) (string, error) {
	parts, reasons := parseTemplate(template)
	if len(reasons) > 0 {
		return "", errors.New(strings.Join(reasons, "; "))
	}
	compiled := compiledTemplate{parts: parts}
	return compiled.render(values, nil), nil
}
