using System.Globalization;
using System.Text;
using System.Text.Json;

namespace TipIntake.Benchmarks.Triage;

/// <summary>
/// Tips for the triage benchmark: narratives in Korean, Chinese and English built from sentence templates, with places
/// of the border region in the narrative's own script, family words, names, numbers and dates, so that the index
/// holds what real reports give it — common words in many tips, names and places in some, numbers in few. Every
/// category and urgency occurs (so every routing queue fills), a tenth give one of a small pool of contacts.
/// Deterministic: tip <c>i</c> is always the same.
/// </summary>
public static class TriageTips
{
    private static readonly string[][] Places =
    [
        ["도문", "图们", "Tumen"], ["연길", "延吉", "Yanji"], ["단둥", "丹东", "Dandong"], ["훈춘", "珲春", "Hunchun"],
        ["용정", "龙井", "Longjing"], ["선양", "沈阳", "Shenyang"], ["혜산", "惠山", "Hyesan"], ["신의주", "新义州", "Sinuiju"],
        ["무산", "茂山", "Musan"], ["장백", "长白", "Changbai"], ["회령", "会宁", "Hoeryong"], ["청진", "清津", "Chongjin"],
    ];

    private static readonly string[][] Kin =
    [
        ["남편", "丈夫", "husband"], ["아내", "妻子", "wife"], ["딸", "女儿", "daughter"], ["아들", "儿子", "son"],
        ["오빠", "哥哥", "brother"], ["언니", "姐姐", "sister"], ["어머니", "母亲", "mother"], ["조카", "侄子", "nephew"],
    ];

    private static readonly string[] Surnames = ["김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오", "서", "신", "권"];
    private static readonly string[] GivenNames = ["영철", "미영", "순희", "철수", "은정", "광호", "명숙", "성민", "혜진", "정남", "금순", "학철"];
    private static readonly string[] HanSurnames = ["金", "李", "朴", "崔", "郑", "姜", "赵", "尹", "张", "林"];
    private static readonly string[] HanGiven = ["永哲", "美英", "顺姬", "哲洙", "恩贞", "光浩", "明淑", "成民"];
    private static readonly string[] LatinNames = ["Kim Young-chul", "Lee Mi-young", "Park Sun-hee", "Choi Chul-su", "Jung Eun-jung", "Kang Kwang-ho"];

    private static readonly string[] Korean =
    [
        "{kin}이 {place}에서 공안에 잡혔습니다.",
        "지금 {place} 변방대 구류소에 {n}명이 갇혀 있다고 들었습니다.",
        "다음 주에 북송될 것 같습니다. 도와주세요.",
        "{name} 씨와 함께 강을 건넜는데 {place} 근처에서 헤어졌습니다.",
        "브로커가 {n}만 원을 요구하고 있습니다.",
        "{date}에 마지막으로 연락이 되었습니다.",
        "중국 남자에게 팔려 {place} 시골에서 강제로 결혼했습니다.",
        "감시가 심해서 전화를 자주 할 수 없습니다.",
        "교회 사람들이 {kin}을 숨겨 주었지만 누가 신고했습니다.",
        "{place}에서 온 사람들이 함께 구금되어 있습니다.",
    ];

    private static readonly string[] Chinese =
    [
        "我的{kin}在{place}被公安抓走了。",
        "听说{place}看守所里关着{n}个人。",
        "下周可能被遣返朝鲜，请帮帮我们。",
        "我们和{name}一起过江，在{place}附近失散了。",
        "中介要{n}万元才肯帮忙。",
        "最后一次联系是在{date}。",
        "她被卖到{place}农村，被迫结婚。",
        "监视很严，不能经常打电话。",
        "教会的人藏了我的{kin}，但有人举报了。",
        "从{place}来的人也被关在一起。",
    ];

    private static readonly string[] English =
    [
        "My {kin} was arrested by the police in {place}.",
        "We heard that {n} people are held in the border detention centre in {place}.",
        "They may be sent back to North Korea next week. Please help.",
        "We crossed the river with {name} but were separated near {place}.",
        "The broker is asking for {n} thousand yuan.",
        "The last contact was on {date}.",
        "She was sold to a farmer in a village near {place} and forced to marry.",
        "They are watched closely and cannot call often.",
        "People from a church hid my {kin}, but someone reported them.",
        "People from {place} are detained together with them.",
    ];

    private static readonly (string Category, int Weight)[] Categories =
        [("detention", 35), ("forced-repatriation", 25), ("trafficking", 15), ("forced-marriage", 15), ("other", 10)];

    /// <summary>The place of tip <paramref name="i"/> in Korean (its most common script here), for choosing searches.</summary>
    public static string KoreanPlace(int i) => Places[Pick(i, 1, Places.Length)][0];

    public static byte[] Json(int i, DateOnly today)
    {
        var language = Pick(i, 2, 10) switch { < 5 => 0, < 8 => 1, _ => 2 };
        var place = Places[Pick(i, 1, Places.Length)];
        var kin = Kin[Pick(i, 3, Kin.Length)];
        var templates = language switch { 0 => Korean, 1 => Chinese, _ => English };
        var name = language switch
        {
            0 => Surnames[Pick(i, 4, Surnames.Length)] + GivenNames[Pick(i, 5, GivenNames.Length)],
            1 => HanSurnames[Pick(i, 4, HanSurnames.Length)] + HanGiven[Pick(i, 5, HanGiven.Length)],
            _ => LatinNames[Pick(i, 4, LatinNames.Length)],
        };
        var observed = today.AddDays(-Pick(i, 6, 56));
        var narrative = new StringBuilder();
        var sentences = 3 + Pick(i, 7, 4);
        for (var s = 0; s < sentences; s++)
        {
            narrative.Append(templates[Pick(i, 10 + s, templates.Length)]
                .Replace("{place}", place[language], StringComparison.Ordinal)
                .Replace("{kin}", kin[language], StringComparison.Ordinal)
                .Replace("{name}", name, StringComparison.Ordinal)
                .Replace("{n}", (2 + Pick(i, 20 + s, 30)).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("{date}", observed.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), StringComparison.Ordinal));
            narrative.Append(language == 2 ? " " : " ");
        }

        var tip = new Dictionary<string, object>
        {
            ["category"] = Weighted(i, 8, Categories),
            ["narrative"] = narrative.ToString().Trim(),
            ["urgency"] = Pick(i, 9, 10) switch { < 2 => "imminent", < 6 => "soon", _ => "unknown" },
            ["location"] = new Dictionary<string, string> { ["country"] = Pick(i, 30, 5) == 0 ? "KP" : "CN", ["place"] = place[language] },
            ["observed"] = new Dictionary<string, string> { ["from"] = observed.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) },
            ["peopleCount"] = 1 + Pick(i, 31, 6),
            ["language"] = language switch { 0 => "ko", 1 => "zh-Hans", _ => "en" },
        };
        if (Pick(i, 32, 10) == 0)
        {
            tip["contact"] = "WeChat: helper" + Pick(i, 33, 200).ToString(CultureInfo.InvariantCulture);
        }

        return JsonSerializer.SerializeToUtf8Bytes(tip);
    }

    /// <summary>A deterministic choice in [0, <paramref name="range"/>) for tip <paramref name="i"/> and choice <paramref name="salt"/>.</summary>
    private static int Pick(int i, int salt, int range)
    {
        var x = ((ulong)i * 0x9E3779B97F4A7C15UL) ^ ((ulong)salt * 0xC2B2AE3D27D4EB4FUL);
        x ^= x >> 33;
        x *= 0xFF51AFD7ED558CCDUL;
        x ^= x >> 33;
        return (int)(x % (ulong)range);
    }

    private static string Weighted(int i, int salt, (string Value, int Weight)[] choices)
    {
        var pick = Pick(i, salt, choices.Sum(c => c.Weight));
        foreach (var (value, weight) in choices)
        {
            if ((pick -= weight) < 0)
            {
                return value;
            }
        }

        return choices[^1].Value;
    }
}
