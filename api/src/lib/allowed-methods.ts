/**
 * The methods each path of the contract answers, for a 405 that says which (RFC 9110 §15.5.6:
 * a 405 carries `Allow`). Read from the OpenAPI document once, at start.
 */
export function allowedMethods(paths: Record<string, object>): (path: string) => string[] {
  const routes = Object.entries(paths).map(([template, operations]) => {
    const pattern = template
      .split(/\{[^}]+\}/)
      .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
      .join('[^/]+');
    const methods = Object.keys(operations)
      .filter((key) => ['get', 'post', 'put', 'patch', 'delete'].includes(key))
      .map((key) => key.toUpperCase());
    if (methods.includes('GET')) methods.push('HEAD');
    const parameters = template.split('{').length - 1;
    return { pattern: new RegExp(`^${pattern}/?$`), methods: [...methods, 'OPTIONS'], parameters };
  });
  // `/v1/charts/preview` before `/v1/charts/{id}`: a path's own words win over a parameter.
  routes.sort((a, b) => a.parameters - b.parameters);
  return (path) => routes.find((route) => route.pattern.test(path))?.methods ?? [];
}
