using System.Text;
using Hermes.Configuration;
using Hermes.Domain;

namespace Hermes.CallBooker;

/// <summary>
/// The Google Calendar invitation's title and text (after hermes_v2's <c>_meeting_content_templates.py</c>, reworded):
/// a note to the prospect, and for sales calls the details the sales person needs, with links to the organization
/// in Pipedrive and the client in TC2 when Hermes knows them.
/// </summary>
public static class MeetingTemplates
{
    const string DemoVideo = "https://www.youtube.com/watch?v=2iUK0RTm4pw";
    const string UserGuide = "https://cdn.tutorcruncher.com/guides/admin-user-guide.pdf";

    public static string Summary(string meetingType, Admin admin) => meetingType == Meeting.TypeSupport
        ? $"TutorCruncher support meeting with {admin.Name}"
        : $"TutorCruncher demo with {admin.Name}";

    /// <param name="manageUrl">The prospect's signed link to reschedule or cancel (ManageLinks), when the meeting has one.</param>
    public static string Description(string meetingType, Company company, Contact contact, HermesSettings settings, string? manageUrl = null)
    {
        var greeting = string.IsNullOrWhiteSpace(contact.FirstName) ? "there" : contact.FirstName;
        var trialUrl = "https://secure.tutorcruncher.com/start/1/?tc_source=call_booker"
                       + (company.Tc2CligencyId is { } cli ? $"&cli_id={cli}" : "");
        var tc2Url = company.Tc2CligencyId is { } id && settings.Tc2BaseUrl.Length > 0 ? $"{settings.Tc2BaseUrl}/clients/{id}/" : null;
        var text = new StringBuilder();
        text.Append($"Hello {Html(greeting)},\n\n");
        if (meetingType == Meeting.TypeSupport)
        {
            text.Append("Thank you for booking a call with the TutorCruncher team.\n\n");
            text.Append("You can join the call from the Google Meet link in this invitation.\n\n");
            text.Append("If you note down the questions you'd like to go through before we meet, we can make the most of the time: ");
            text.Append("the calls that help most are the ones about your specific needs.\n\n");
        }
        else
        {
            text.Append("Thank you for booking a call with TutorCruncher. We're keen to hear about your business and to show you ");
            text.Append("how we can help it grow.\n\n");
            text.Append("You can join the call from the Google Meet link in this invitation.\n\n");
            text.Append("If you have particular questions, it helps us a lot when you jot them down beforehand: the best calls ");
            text.Append("are the ones where we can talk about exactly what you need.\n\n");
        }
        if (manageUrl is not null)
            text.Append($"Can't make it? <a href=\"{Html(manageUrl)}\" target=\"_blank\">Reschedule or cancel the call</a>.\n\n");
        text.Append("Until then, these may be useful:\n\n");
        text.Append($"<a href=\"{DemoVideo}\" target=\"_blank\">Watch a guided demo of TutorCruncher.</a>\n\n");
        text.Append($"<a href=\"{UserGuide}\" target=\"_blank\">Read the admin user guide</a>, which answers most first questions.\n\n");
        text.Append($"Not signed up yet? <a href=\"{Html(trialUrl)}\" target=\"_blank\">Start your free two-week trial</a>. ");
        text.Append("No payment details are needed, and the call gets furthest when you've already had a look around the system.\n\n");
        text.Append("Speak soon,\nThe TutorCruncher team\n");

        if (meetingType == Meeting.TypeSupport)
        {
            if (tc2Url is not null) text.Append($"\n<a href=\"{Html(tc2Url)}\" target=\"_blank\">Client in TutorCruncher</a>\n");
            return text.ToString();
        }

        text.Append("\n---\n\nFor the TutorCruncher team:\n\n");
        Line(text, "Company", company.Name);
        Line(text, "Contact", contact.Name);
        Line(text, "Email", contact.Email);
        Line(text, "Phone", contact.Phone);
        Line(text, "Estimated revenue", company.EstimatedIncome);
        Line(text, "Country", company.Country);
        Line(text, "Price plan", company.PricePlan);
        if (company.PdOrgId is { } org && settings.PdBaseUrl.Length > 0)
            text.Append($"- <a href=\"{Html($"{settings.PdBaseUrl}/organization/{org}/")}\" target=\"_blank\">Organization in Pipedrive</a>\n");
        if (tc2Url is not null)
            text.Append($"- <a href=\"{Html(tc2Url)}\" target=\"_blank\">Client in TutorCruncher</a>\n");
        return text.ToString();
    }

    static void Line(StringBuilder text, string label, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value)) text.Append($"- {label}: {Html(value)}\n");
    }

    /// <summary>The description is HTML in Google Calendar: what the prospect typed must not become markup.</summary>
    static string Html(string value) =>
        value.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");
}
