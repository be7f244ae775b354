using TipIntake.Core.Triage.Search;

namespace TipIntake.Core.Tests.Triage;

public class SearchTermsTests
{
    [Fact]
    public void Korean_runs_become_bigrams_so_a_two_character_word_is_found_inside_longer_words()
    {
        var terms = TextTerms.Of("남편이 도문에서 잡혔습니다");

        Assert.Contains("b:남편", terms);
        Assert.Contains("b:도문", terms);
        Assert.Contains("b:문에", terms);
        Assert.Contains("b:습니", terms);
        Assert.DoesNotContain("w:남편이", terms);
    }

    [Fact]
    public void Chinese_without_spaces_becomes_bigrams_and_a_single_character_stays_itself()
    {
        var terms = TextTerms.Of("她被卖到延吉。 金");

        Assert.Contains("b:延吉", terms);
        Assert.Contains("b:卖到", terms);
        Assert.Contains("u:金", terms);
        Assert.Equal(["b:延吉"], TextTerms.Tokens("延吉"));
    }

    [Fact]
    public void Latin_words_are_compared_without_case_accents_or_punctuation_and_single_letters_are_dropped()
    {
        Assert.Equal(["w:sinuiju", "w:police"], TextTerms.Tokens("Sinŭiju, a POLICE!"));
        Assert.Equal(["w:ch", "w:ongjin"], TextTerms.Tokens("Ch'ŏngjin"));
        Assert.Equal(["w:2026", "w:11"], TextTerms.Tokens("2026-11-0 1"));
        Assert.Empty(TextTerms.Tokens("... !!! ?"));
        Assert.Empty(TextTerms.Tokens(null));
    }

    [Fact]
    public void Mixed_scripts_split_where_the_script_changes_and_full_width_forms_fold()
    {
        Assert.Equal(["b:도문", "w:tumen", "b:图们"], TextTerms.Tokens("도문Tumen图们"));
        Assert.Equal(["w:abc"], TextTerms.Tokens("ＡＢＣ"));
    }

    [Fact]
    public void Very_long_words_are_cut_and_a_query_makes_the_same_terms_as_the_text()
    {
        var word = new string('x', 100);

        Assert.Equal("w:" + new string('x', TextTerms.MaxWordLength), Assert.Single(TextTerms.Tokens(word)));
        Assert.Subset(TextTerms.Of("어제 남편이 도문 변방대 구류소로 끌려갔습니다").ToHashSet(), SearchTerms.OfQuery("구류소 끌려갔", Gazetteer.Default).ToHashSet());
    }

    [Theory]
    [InlineData("도문")]
    [InlineData("图们")]
    [InlineData("圖們")]
    [InlineData("Tumen")]
    [InlineData("투먼")]
    [InlineData("TUMEN")]
    public void Every_spelling_of_a_place_is_one_place_term(string spelling)
    {
        Assert.Equal(["g:tumen"], SearchTerms.OfQuery(spelling, Gazetteer.Default));
    }

    [Fact]
    public void A_query_keeps_its_other_words_beside_the_place_and_the_most_specific_place_wins()
    {
        Assert.Equal(["g:tumen", "b:남편"], SearchTerms.OfQuery("图们 남편", Gazetteer.Default));
        Assert.Equal(["g:tumen-detention", "w:next", "w:week"], SearchTerms.OfQuery("Tumen detention next week", Gazetteer.Default));
        Assert.Equal(["g:jongori"], SearchTerms.OfQuery("Jongo-ri", Gazetteer.Default));
    }

    [Fact]
    public void A_tip_is_indexed_under_the_places_it_names_in_any_field_and_a_facility_under_its_city_too()
    {
        var terms = SearchTerms.OfTip("남편이 도문 구류소에 있습니다", place: null, region: "Jilin", Gazetteer.Default);

        Assert.Contains("g:tumen-detention", terms);
        Assert.Contains("g:tumen", terms);
        Assert.Contains("w:jilin", terms);
        Assert.Contains("g:yanji", SearchTerms.OfTip("no place in the text", "Yanji", null, Gazetteer.Default));
    }

    [Fact]
    public void Everyday_Korean_words_that_read_like_places_are_not_places()
    {
        // 집안 (family) would be Ji'an, 통화 (a phone call) Tonghua: left out of the gazetteer on purpose.
        Assert.Empty(Gazetteer.Default.Match("집안 사람들과 통화했습니다"));
        Assert.Equal(["jian"], Gazetteer.Default.Match("지안"));
    }

    [Fact]
    public void The_gazetteer_states_its_source_and_every_place_has_Korean_Chinese_and_Latin_spellings()
    {
        Assert.Contains("UN Commission of Inquiry", Gazetteer.Default.Source, StringComparison.Ordinal);
        Assert.All(Gazetteer.Default.Places, place =>
        {
            Assert.Contains(place.Names, n => n.Any(c => c is >= '\uAC00' and <= '\uD7A3'));
            Assert.Contains(place.Names, n => n.Any(c => c is >= '\u4E00' and <= '\u9FFF'));
            Assert.Contains(place.Names, n => n.Any(char.IsAsciiLetter));
        });
        Assert.All(Gazetteer.Default.Places.Where(p => p.Within is not null), p => Assert.NotNull(Gazetteer.Default.Find(p.Within!)));
    }
}
