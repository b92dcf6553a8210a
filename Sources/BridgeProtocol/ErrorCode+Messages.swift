extension ErrorCode {
    /// What a page shows for this code, when it has nothing better to say.
    public var message: LocalizedMessage { message(triesLeft: nil) }

    /// What a page shows for this code; for `pinIncorrect`, `triesLeft` (when known) is
    /// spelled out.
    public func message(triesLeft: Int?) -> LocalizedMessage {
        switch self {
        case .badRequest:
            LocalizedMessage(
                fr: "La page a envoyé une demande invalide au service CPS. Rechargez la page ; si le problème persiste, contactez le support du site.",
                en: "The page sent an invalid request to the CPS service. Reload the page; if this keeps happening, contact the website's support.")
        case .originNotAllowed:
            LocalizedMessage(
                fr: "Ce site n'est pas autorisé à utiliser votre carte CPS sur ce poste. Contactez votre administrateur informatique.",
                en: "This website is not allowed to use your CPS card on this computer. Contact your IT administrator.")
        case .hostNotAllowed:
            LocalizedMessage(
                fr: "Le service CPS de ce poste a refusé la demande (adresse non autorisée). Contactez votre administrateur informatique.",
                en: "This computer's CPS service refused the request (address not allowed). Contact your IT administrator.")
        case .noReader:
            LocalizedMessage(
                fr: "Aucun lecteur de carte n'est détecté. Branchez votre lecteur, puis réessayez.",
                en: "No card reader was found. Plug in your reader, then try again.")
        case .noCard:
            LocalizedMessage(
                fr: "Aucune carte n'est détectée. Insérez votre carte CPS dans le lecteur.",
                en: "No card was found. Insert your CPS card in the reader.")
        case .readerRequired:
            LocalizedMessage(
                fr: "Plusieurs cartes sont insérées. Choisissez le lecteur à utiliser, ou retirez les cartes inutiles.",
                en: "Several cards are inserted. Choose the reader to use, or remove the cards you do not need.")
        case .unsupportedCard:
            LocalizedMessage(
                fr: "Cette carte ne permet pas de se connecter. Insérez votre carte CPS (CPS3 ou CPS4) dans un lecteur à contact.",
                en: "This card cannot be used to log in. Insert your CPS card (CPS3 or CPS4) in a contact reader.")
        case .cardRemoved:
            LocalizedMessage(
                fr: "La carte a été retirée pendant l'opération. Réinsérez-la, puis réessayez.",
                en: "The card was removed during the operation. Insert it again, then try again.")
        case .pinIncorrect:
            Self.pinIncorrectMessage(triesLeft: triesLeft)
        case .pinFinalTry:
            LocalizedMessage(
                fr: "Il ne vous reste qu'un essai (ou leur nombre est inconnu) : un code PIN erroné bloquerait votre carte. Ce dernier essai doit être confirmé dans la fenêtre de votre poste ; aucun code PIN n'a été envoyé à la carte.",
                en: "Only one try is left (or the count is unknown): a wrong PIN would block your card. This last try must be confirmed in the window on your computer; no PIN was sent to the card.")
        case .pinBlocked:
            LocalizedMessage(
                fr: "Votre carte CPS est bloquée (trop de codes PIN erronés). Débloquez-la avec votre code de déblocage (PUK) ou contactez l'assistance CPS.",
                en: "Your CPS card is blocked (too many wrong PINs). Unblock it with your unblocking code (PUK) or contact CPS support.")
        case .pagePinNotAllowed:
            LocalizedMessage(
                fr: "Ce site n'est pas autorisé à recueillir votre code PIN. Réessayez : il vous sera demandé sur le lecteur ou dans une fenêtre de votre poste.",
                en: "This website is not allowed to collect your PIN. Try again: you will be asked for it on the reader or in a window on your computer.")
        case .pinEntryUnavailable:
            LocalizedMessage(
                fr: "Votre code PIN ne peut pas être saisi sur ce poste (ni clavier sur le lecteur, ni fenêtre de saisie). Contactez votre administrateur informatique.",
                en: "Your PIN cannot be entered on this computer (no PIN pad on the reader, no PIN window). Contact your IT administrator.")
        case .busy:
            LocalizedMessage(
                fr: "Votre carte est déjà utilisée par une autre connexion en cours. Terminez-la ou patientez, puis réessayez.",
                en: "Your card is already in use by another login in progress. Finish it or wait, then try again.")
        case .timeout:
            LocalizedMessage(
                fr: "Le délai est dépassé (code PIN non saisi ou carte sans réponse). Réessayez.",
                en: "The operation timed out (PIN not entered, or the card did not answer). Try again.")
        case .cancelled:
            LocalizedMessage(
                fr: "Opération annulée. Vous pouvez recommencer quand vous le souhaitez.",
                en: "Operation cancelled. You can start again whenever you like.")
        case .otherUser:
            LocalizedMessage(
                fr: "Ce service de carte CPS appartient à une autre session de ce poste. Connectez-vous avec votre propre session pour utiliser votre carte.",
                en: "This CPS card service belongs to another session on this computer. Log in with your own session to use your card.")
        case .bridgeNotRunning:
            LocalizedMessage(
                fr: "Le service de carte CPS n'est pas démarré pour votre session sur ce poste. Fermez puis rouvrez votre session ; si le problème persiste, contactez votre administrateur informatique.",
                en: "The CPS card service is not running for your session on this computer. Log out and back in; if this keeps happening, contact your IT administrator.")
        case .internal:
            LocalizedMessage(
                fr: "Une erreur inattendue s'est produite dans le service CPS de ce poste. Réessayez ; si elle persiste, contactez votre administrateur informatique.",
                en: "An unexpected error occurred in this computer's CPS service. Try again; if it keeps happening, contact your IT administrator.")
        }
    }

    private static func pinIncorrectMessage(triesLeft: Int?) -> LocalizedMessage {
        switch triesLeft {
        case let n? where n > 1:
            LocalizedMessage(
                fr: "Code PIN incorrect. Il vous reste \(n) essais avant le blocage de la carte.",
                en: "Wrong PIN. \(n) tries left before the card is blocked.")
        case 1?:
            LocalizedMessage(
                fr: "Code PIN incorrect. Il ne vous reste qu'un essai avant le blocage de la carte.",
                en: "Wrong PIN. Only one try is left before the card is blocked.")
        default:
            LocalizedMessage(
                fr: "Code PIN incorrect. Vérifiez-le avant de réessayer : la carte se bloque après plusieurs erreurs.",
                en: "Wrong PIN. Check it before trying again: the card is blocked after several wrong PINs.")
        }
    }
}
