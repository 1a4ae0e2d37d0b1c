package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-concur/terraform-provider-concur/internal/provisioning"
)

var _ function.Function = renderTemplateFunction{}

// renderTemplateFunction is provider::concur::render_template, the channel's template rendering
// for terraform console and terraform test.
type renderTemplateFunction struct{}

// NewRenderTemplateFunction is the factory for provider::concur::render_template.
func NewRenderTemplateFunction() function.Function { return renderTemplateFunction{} }

func (renderTemplateFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "render_template"
}

func (renderTemplateFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Renders an attribute_mapping template against directory attributes.",
		MarkdownDescription: "Renders one `attribute_mapping` template of `concur_provisioning_mapping` against the given directory " +
			"attributes, exactly as a channel renders it against a directory entry, so templates can be tried in `terraform console` " +
			"and asserted in `terraform test`. Attribute names match case-insensitively, as in a directory; a missing attribute " +
			"renders as an empty string. With no directory to follow, a `ref:` filter renders as an empty string.",
		Parameters: []function.Parameter{
			function.StringParameter{
				Name:                "template",
				MarkdownDescription: "The template, such as `{mail|lower}` or `{givenName} {sn}`.",
			},
			function.MapParameter{
				Name:                "attributes",
				MarkdownDescription: "The directory attributes and their values, such as `{ mail = \"Ann@Example.com\" }`.",
				ElementType:         types.StringType,
			},
		},
		Return: function.StringReturn{},
	}
}

func (renderTemplateFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var template string
	var attributes map[string]string
	resp.Error = req.Arguments.Get(ctx, &template, &attributes)
	if resp.Error != nil {
		return
	}
	byName := make(map[string][]string, len(attributes))
	for name, value := range attributes {
		byName[strings.ToLower(name)] = []string{value}
	}
	rendered, err := provisioning.RenderTemplate(template, func(attribute string) []string { return byName[strings.ToLower(attribute)] })
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, "Invalid template: "+err.Error())
		return
	}
	resp.Error = resp.Result.Set(ctx, rendered)
}
