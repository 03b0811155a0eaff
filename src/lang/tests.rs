use super::*;

#[test]
fn templates_fill_their_holes() {
    let z = Lang::Zh;
    assert_eq!(z.tr("command okay"), "命令成功");
    assert_eq!(
        z.tr("the client opens the control connection to port 21"),
        "客户端向服务器的 21 端口发起控制连接（TCP 三次握手第一次）"
    );
    assert_eq!(
        z.tr("closed (server TIME-WAIT, client CLOSED)"),
        "连接完全断开（服务器 TIME-WAIT，客户端 CLOSED）"
    );
    assert_eq!(z.tr("  6 commands"), "  6 条命令");
    assert_eq!(z.tr("1 command"), "1 条命令");
    // Parts joined by "; " are translated one by one.
    assert_eq!(
        z.tr("command okay; starts transfer 2"),
        "命令成功；开始第 2 次传输"
    );
}

#[test]
fn untranslated_text_is_marked_only_in_check_mode() {
    assert_eq!(Lang::Zh.tr("no such phrase here"), "no such phrase here");
    assert_eq!(Lang::ZhCheck.tr("no such phrase"), "⟦no such phrase⟧");
    assert_eq!(Lang::En.tr("command okay"), "command okay");
    // Nothing to translate: no letters.
    assert_eq!(Lang::ZhCheck.tr("—"), "—");
}

#[test]
fn heads_translate_the_label_and_keep_protocol_text() {
    assert_eq!(
        Lang::Zh.head("control   C→S  USER test"),
        "控制连接    C→S  USER test"
    );
    assert_eq!(
        Lang::Zh.head("data #1   handshake 1/3  SYN      1.2.3.4:20 → 5.6.7.8:5"),
        "数据连接 #1 三次握手 第1步  SYN      1.2.3.4:20 → 5.6.7.8:5"
    );
}

#[test]
fn the_catalogue_has_no_side_by_side_holes_and_no_hole_past_its_english() {
    for &(en, zh) in zh::ENTRIES {
        for v in template::variants(en) {
            let t = template::parse(&v, zh);
            let holes = t
                .pieces
                .iter()
                .filter(|p| matches!(p, Piece::Hole(_)))
                .count();
            for w in t.pieces.windows(2) {
                assert!(
                    !(matches!(w[0], Piece::Hole(_)) && matches!(w[1], Piece::Hole(_))),
                    "{en}"
                );
            }
            for o in &t.out {
                if let template::Out::Ref(n) = o {
                    assert!(*n < holes, "{en} -> {zh}");
                }
            }
        }
    }
}

#[test]
fn a_kept_hole_does_not_swallow_the_next_clause() {
    // "the client listens on {}" must not take "; data port ..." into its hole: the
    // clause after `; ` has its own template.
    assert_eq!(
        Lang::Zh.tr(
            "the client listens on 10.0.0.1:5001 (19*256+137 = 5001); data port 5001 = N+1, N = 5000 being the client's control port"
        ),
        "客户端在 10.0.0.1:5001 上监听（19*256+137 = 5001）；数据端口 5001 = N+1，其中 N = 5000 是客户端的控制端口"
    );
    // Inside brackets or quotes, `; ` is part of the hole.
    assert_eq!(Lang::Zh.tr("answers \"a; b\""), "回应 \"a; b\"");
}

#[test]
fn a_word_hole_stops_at_a_list_separator() {
    // "{w} succeeded" must not take "alice failed 3 times, bob" as a name: the list is cut
    // at `, ` and each user translated.
    assert_eq!(
        Lang::Zh.tr("logins: alice failed 3 times, bob succeeded"),
        "登录：alice 失败 3 次，bob 成功"
    );
    assert_eq!(
        Lang::ZhCheck.tr("alice failed 3 times, bob trailed"),
        "⟦alice failed 3 times, bob trailed⟧"
    );
}

#[test]
fn wrapping_keeps_closing_punctuation_within_the_width() {
    use unicode_width::UnicodeWidthStr;
    // "N+1，": the comma is glued to the ASCII word before it, even after a space.
    let t = "端口 40011 = N+1，其中 N = 40010";
    for max in 8..24 {
        let lines = wrap::wrap(t, max);
        for l in &lines {
            assert!(l.width() <= max, "{max}: {l:?}");
            assert!(!l.starts_with('，'), "{max}: {l:?}");
        }
        assert_eq!(lines.join(" ").replace(' ', ""), t.replace(' ', ""));
    }
    // After a Chinese character the comma takes that character down with it.
    let lines = wrap::wrap("一二三四，五六", 8);
    assert_eq!(lines, vec!["一二三", "四，五六"]);
}

#[test]
fn a_kept_hole_does_not_take_a_bracket_of_the_text_around_it() {
    // "ports {})" must not take "61204) (new": the "(new)" has its own template.
    assert_eq!(
        Lang::Zh.tr(
            "passive mode: the client opens the data connection to the port P the server announced (1 announcement, ports 61204) (new)"
        ),
        "被动模式：客户端向服务器告知的端口 P 发起数据连接（1 次地址通告，端口 61204）（连接状态 new）"
    );
    // Brackets inside quotes are the peer's text.
    assert_eq!(
        Lang::Zh.tr("server sent a line that is not an FTP reply: \"a (b\""),
        "服务器发送了一行不是 FTP 响应的内容：\"a (b\""
    );
}
