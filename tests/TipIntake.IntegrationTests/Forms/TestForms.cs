namespace TipIntake.IntegrationTests.Forms;

/// <summary>Posts of the no-script form as a browser makes them: the fields, plus the hidden fields of a freshly served page.</summary>
public static class TestForms
{
    /// <summary>
    /// The form body a browser would post from a page served now: <paramref name="fields"/> and the page's hidden
    /// fields (read from <c>GET /</c>), which a field in <paramref name="fields"/> overrides.
    /// </summary>
    public static async Task<FormUrlEncodedContent> NewFormAsync(HttpClient http, IReadOnlyDictionary<string, string> fields)
    {
        var values = await HiddenFieldsAsync(http);
        foreach (var (name, value) in fields)
        {
            values[name] = value;
        }

        return new FormUrlEncodedContent(values);
    }

    /// <summary>The hidden inputs of the form page (<c>lang</c>, <c>submission</c>, …) as a browser would post them.</summary>
    public static async Task<Dictionary<string, string>> HiddenFieldsAsync(HttpClient http)
    {
        var page = await http.GetStringAsync(new Uri("/", UriKind.Relative));
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Text.RegularExpressions.Match match in System.Text.RegularExpressions.Regex.Matches(
            page, "<input type=\"hidden\" name=\"(?<name>[a-z]+)\" value=\"(?<value>[^\"]*)\" />"))
        {
            values[match.Groups["name"].Value] = System.Net.WebUtility.HtmlDecode(match.Groups["value"].Value);
        }

        return values;
    }
}
