using System.Net;
using System.Text.RegularExpressions;

namespace TipIntake.Benchmarks.Flood;

/// <summary>The no-script form as a browser without JavaScript posts it: the visible fields and the page's hidden ones.</summary>
public static partial class FormPages
{
    /// <summary>The hidden inputs of a form page (<c>lang</c>, <c>submission</c>, <c>ticket</c>) as a browser would post them.</summary>
    public static Dictionary<string, string> HiddenFields(string page)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match match in HiddenInput().Matches(page))
        {
            values[match.Groups["name"].Value] = WebUtility.HtmlDecode(match.Groups["value"].Value);
        }

        return values;
    }

    /// <summary>A valid report's fields with the page's hidden ones.</summary>
    public static FormUrlEncodedContent Report(string page, string category, string urgency, string narrative)
    {
        var values = HiddenFields(page);
        values["lang"] = "en";
        values["category"] = category;
        values["urgency"] = urgency;
        values["narrative"] = narrative;
        values["country"] = "CN";
        values["region"] = "Jilin";
        return new FormUrlEncodedContent(values);
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[a-z]+)\" value=\"(?<value>[^\"]*)\" />")]
    private static partial Regex HiddenInput();
}
